"""The citizen services beside the item flows: case status, appointment and queue ticket, nearby
centres, FAQ, 办不成事 complaint, 帮办 help and continue-on-mobile — one module each, routed by
``services.CitizenServices`` and sharing one ``desk.ServiceDesk`` per controller."""
