"""Money in messages: transaction receipts (mobile money in Arabic, French, English) and payment
identifiers (IBAN, cards, Western Union MTCN, MoneyGram references, BTC/ETH/TRON addresses).

One small module per family (``amounts``, ``receipts``, ``iban``, ``cards``, ``remittance``,
``crypto``); ``extract`` runs them over the text of fkit records and makes ``money.*`` records.
"""
