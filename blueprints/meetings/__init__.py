"""Live cell meetings: scheduling and agenda, the secretary's console, the projector and the
member's phone view over one live state (a version counter per meeting), roll call, speakers,
opinions, open and secret votes, minutes with revisions and DOCX/PDF export, tasks and ratings.
"""
