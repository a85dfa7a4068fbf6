"""The provider's pages, for a customer's browser: sign-in and approval (both in Chinese, with no
script, under the site's Content-Security-Policy)."""

from urllib.parse import urlsplit

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from oauth2_provider.views import AuthorizationView

from csa.errors import ApplicationError, RateLimitedError
from oidc import services


class SignInForm(forms.Form):
    email = forms.EmailField(label="邮箱", max_length=254)
    password = forms.CharField(label="密码", max_length=128, widget=forms.PasswordInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def authorization_url_or_none(request: HttpRequest, url: str) -> str | None:
    """`url` if it is this site's authorization page: the sign-in sends nowhere else."""
    safe = url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})
    return url if safe and url.startswith(reverse("oauth2_provider:authorize")) else None


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if not form.is_valid():
        return render(request, "oidc/sign_in.html", {"form": form})
    try:
        services.customer_session_start(
            request=request,
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
        )
    except ApplicationError as refusal:
        form.add_error(None, refusal.message)
        response = render(request, "oidc/sign_in.html", {"form": form}, status=refusal.status_code)
        if isinstance(refusal, RateLimitedError):
            response["Retry-After"] = str(refusal.retry_after)
        return response
    next_url = authorization_url_or_none(request, form.cleaned_data["next"])
    if next_url:
        return redirect(next_url)
    return render(request, "oidc/message.html", {"message": "已登录，可以关闭本页"})


class ApprovalView(AuthorizationView):
    """django-oauth-toolkit's authorization endpoint with our sign-in and our page."""

    template_name = "oidc/authorize.html"
    login_url = reverse_lazy("oidc-sign-in")

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        redirect_uri = getattr(self, "oauth2_data", {}).get("redirect_uri")
        if redirect_uri:
            # Browsers hold the redirect after the form's POST to the policy's form-action too.
            parts = urlsplit(redirect_uri)
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
        return response
