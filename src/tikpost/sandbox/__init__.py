"""A faithful emulator of TikTok's Content Posting API and OAuth v2.

Nothing here imports the service, and the service imports nothing from here except `app.create_app`
(to mount it in sandbox mode): the sandbox must behave like TikTok, not like our assumptions.
"""
