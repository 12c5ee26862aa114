"""`moderate serve`: a self-hosted, Perspective-compatible scoring server (optional extra `serve`).

Modules: `app` (routes and process state), `perspective` (AnalyzeComment request/response),
`native` (/v1/score), `batcher` (dynamic batching), `discovery` (the Google discovery
document), `http` (body limits, keys, access log), `metrics` (Prometheus text), `settings`,
`errors` (Google's error shape). Only `app` and `http` import Starlette.
"""
