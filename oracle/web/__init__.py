"""The web dashboard: ``python -m oracle serve`` (or ``make dashboard`` on the demo's state).

One Starlette app (:func:`oracle.web.app.create_app`) reading the chain through web3 (the deployment
manifest and the committed abi/) and the oracle's store. Modules, one per area, each with its
``ROUTES``; ``server`` runs it under uvicorn:

- ``public``: overview, installations, certificates, rounds, the retirement register;
- ``verify``: what the browser needs to check a certificate itself (leaf, proof, readings, round file);
- ``market``: open offers and demands, projects and their milestones, campaigns;
- ``auth_routes``: Sign-In with Ethereum (EIP-4361, the ``siwe`` package) and sign-out, over ``auth``
  (sessions, roles, CSRF tokens);
- ``review``: the reviewer's queue of flagged intervals (the same store and rules as ``oracle review``);
- ``operator``: the oracle's status, signers and quorum, paused states, watermarks.

``state`` holds the snapshot of the chain, read once per block (batched views, events once per block
range) and shared by every page, refreshed in the background; ``timing`` counts a page's RPC requests
and times the pages (tests/web/test_speed.py, ``make bench``); ``charts`` draws inline SVG. Everything the pages need (CSS, the
bundled JavaScript for verification and sign-in) is served by the app: no CDN, works offline.
"""
