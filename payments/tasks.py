"""Online recharge's background jobs; each is idempotent (csa/celery.py)."""

from celery import shared_task

from payments import services

# A query that waited longer than this in the queue is dropped: the next run asks afresh.
QUERY_EXPIRES_SECONDS = 50


@shared_task
def reconcile_pending_orders() -> None:
    """Every minute: one query queued for each pending order no notification settled in time
    (a lost notification, an abandoned payment page)."""
    for order_id in services.orders_due_for_query():
        reconcile_order.apply_async((order_id,), expires=QUERY_EXPIRES_SECONDS)


@shared_task
def reconcile_order(order_id: int) -> None:
    """Ask the gateway about one pending order; credit or close it as the answer says."""
    services.order_reconcile(order_id=order_id)
