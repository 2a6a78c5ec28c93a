"""One run of newsflow: the run folder, the list of steps, the CLI's runners.

- :mod:`~newsflow.pipeline.run_folder`: the batch identity and the folder its steps share;
- :mod:`~newsflow.pipeline.steps`: every step and :data:`~newsflow.pipeline.steps.STEPS`,
  the one list of them that the DAG wires and :func:`~newsflow.pipeline.steps.run_steps` runs;
- :mod:`~newsflow.pipeline.backfill`: a date range, a day at a time, through the same steps;
- :mod:`~newsflow.pipeline.summary`: what a run prints.
"""
