"""The local web page (`readydocs serve`): the command line's work, for people who never open a terminal.

server.py starts it on loopback; app.py holds the routes and the request
guards; uploads.py takes files from the browser without trusting their names
or sizes; sessions.py keeps each check's files in a private temporary folder;
results.py runs the same library calls as the CLI (pipeline.assess and build,
lint.lint_folder, pdf.to_pdf) and shapes what the page shows. The limits are
listed in docs/web.md.
"""
