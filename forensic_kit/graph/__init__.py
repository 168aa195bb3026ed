"""The communication network of a case: people, numbers, accounts, devices, wallets as nodes;
calls, messages, contacts, groups and money as edges. ``model`` builds it from records; ``export``
writes GraphML, GEXF, i2 Analyst's Notebook CSV and a STIX 2.1 bundle."""
