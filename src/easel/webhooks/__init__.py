"""Signed webhooks (Standard Webhooks).

* `outbox` turns a job's finishing events into delivery rows, in the same transaction
  as the state change, so a delivery exists exactly when its event does.
* `delivery` is the dispatcher loop: it picks due rows, signs and posts them, and
  records every attempt; rows are the only state, so a restart resumes where it was.
* `signing` makes and checks ``webhook-signature`` headers; `targets` decides which
  URLs Easel may call (no private or loopback addresses unless an admin allows them).
"""
