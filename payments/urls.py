from django.urls import path

from payments import views
from payments.models import Gateway

urlpatterns = [
    path("alipay/pay", views.AlipayPayView.as_view(), name="alipay-pay"),
    path(
        "alipay/pay-for-downline",
        views.AlipayPayForDownlineView.as_view(),
        name="alipay-pay-for-downline",
    ),
    path(
        "alipay/notify",
        views.NotifyView.as_view(gateway_name=Gateway.ALIPAY),
        name="alipay-notify",
    ),
    path("alipay/return", views.AlipayReturnView.as_view(), name="alipay-return"),
    path("wechatpay/native", views.WeChatNativeView.as_view(), name="wechatpay-native"),
    path(
        "wechatpay/notify",
        views.NotifyView.as_view(gateway_name=Gateway.WECHATPAY),
        name="wechatpay-notify",
    ),
    path("points/orders", views.OrdersView.as_view(), name="points-orders"),
    path("points/orders/<str:out_trade_no>", views.OrderView.as_view(), name="points-order"),
]
