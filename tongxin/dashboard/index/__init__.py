"""The 三力一度 index (组织力 organising power, 凝聚力 cohesion, 服务力 service power, 大局贡献度 contribution to the
overall situation): named indicators computed from the roll-ups, weighted by versioned weights, scaled among the
organisations compared.

- ``indicators``: the registry (key, label, dimension, how a raw value comes from an organisation's roll-ups for
  a year, whether lower is better) and the default template of weights (the 100-point 团支部对标定级 grading).
- ``scores``: reads the roll-ups of an organisation's children for a year (a constant handful of queries),
  scales each indicator to 0–100 among them, weights it and sums the contributions.
- ``services``: the weights (a new version from a date, older versions kept) and the rankings switch.
- ``views``/``urls``/``api``: the page, the weights form and the switch; the same as JSON.
"""
