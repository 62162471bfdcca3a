"""The oracle's side of the chain, on web3.py alone: the deployment manifest and connection
(``manifest``), keys (``keys``), reads, transactions with a journal (``transactions``), round
submission (``submit``) and certificate issuance (``issuance``)."""
