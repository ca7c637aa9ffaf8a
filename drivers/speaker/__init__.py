"""Voice prompts: espeak-ng (cmn-latn-pinyin) to a sound device or to WAV files."""
