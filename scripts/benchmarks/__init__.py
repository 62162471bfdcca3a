"""`make bench`: each area's benchmark, the thesis references it compares with, the report and the cost model."""
