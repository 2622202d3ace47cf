"""Engines that read, validate and aggregate the records (issue 14).

``[engine] name = "pandas"`` (default) keeps everything in this process (:func:`qmsdata.load`);
``name = "spark"`` reads, validates and aggregates the large record types on Spark
(:mod:`qmsdata.engine.spark`, PySpark imported only when used). The monthly series both engines
produce are defined once in :mod:`qmsdata.engine.aggregates`.
"""
