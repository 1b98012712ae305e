"""The ensemble stage: sample a model several times per prompt and measure how much the outputs diverge.

Nothing here is imported by a static run. The metric code (:mod:`promptlint.ensemble.metrics`,
:mod:`promptlint.ensemble.projections`, :mod:`promptlint.ensemble.similarity`) is pure: functions over
``list[str]`` samples, reusable without any network or SDK. :mod:`promptlint.ensemble.run` wires
templates, the sample cache, cost control and the sampler into ``check --ensemble`` and the
``ensemble`` command.
"""
