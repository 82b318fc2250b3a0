"""The Qt front end: thin views over the Qt-free kiosk models.

Widgets here observe :class:`kiosk.session.VisitManager` through :class:`ui.bridge.ModelBridge`,
render what it reports and post user intents to the runtime thread. They own no business state:
no scoring, no storage, no device I/O.
"""
