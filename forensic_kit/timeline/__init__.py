"""One timeline across exhibits: timed facts from fkit records, merged and sorted with bounded memory.

``sources`` reads cases, record files and stdin; ``events`` turns records into ``timeline.event``
records (each with its time's origin and its source's locator); ``extsort`` sorts their lines on
disk; ``formats`` writes CSV and mactime body files.
"""
