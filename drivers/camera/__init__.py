"""Face camera for 人证核验: latest-frame capture, face quality checks with Chinese guidance, JPEG out."""
