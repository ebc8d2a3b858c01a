"""What the two web faces (the studio and the festival) share: one kit on FastAPI, uvicorn and Jinja2.

- kit.py: the app factory (`Face`, `create_app`), pages, flash messages, form tokens, error answers, files;
- guard.py: the middleware every request passes (Host, Origin, access token, body timeout, security headers);
- serve.py: serving a face with uvicorn, in the foreground or on a thread.

Neither face imports the other; both import this.
"""
