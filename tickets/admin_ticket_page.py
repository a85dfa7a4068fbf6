"""The console's ticket page: the conversation as staff read it, and the form they answer with
(the reply box, its files and common replies, the assignee and closing)."""

from django import forms
from django.conf import settings
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.models import Role, User
from csa.errors import ApplicationError
from csa.storage import stored_file_url
from tickets import services
from tickets.models import CannedReply, Ticket, TicketMessage
from tickets.selectors import ATTACHMENT_LINK


def active_staff():
    return User.objects.filter(is_active=True, role=Role.ADMIN).order_by("email")


def thread_html(ticket: Ticket) -> SafeString:
    """Every message, oldest first, with its attachments as download links (presigned in object
    storage, signed by this site otherwise): two queries however long the thread."""
    thread = TicketMessage.objects.filter(ticket=ticket).select_related("author")
    thread = thread.prefetch_related("attachments").order_by("created_at", "id")
    return format_html(
        '<ol class="ticket-thread">{}</ol>',
        format_html_join("", "{}", ((_message_html(message),) for message in thread)),
    )


def _message_html(message: TicketMessage) -> SafeString:
    attachments = format_html_join(
        "",
        '<li><a href="{}">{}</a> <span class="quiet">{}</span></li>',
        (
            (_attachment_url(attachment), attachment.filename, filesizeformat(attachment.file_size))
            for attachment in message.attachments.all()
        ),
    )
    return format_html(
        '<li class="ticket-message {}"><div class="ticket-message-meta"><strong>{}</strong>'
        ' <span class="ticket-role">{}</span> <span class="quiet">{}</span></div>'
        '<div class="ticket-message-body">{}</div>{}</li>',
        "from-staff" if message.from_staff else "from-customer",
        message.author or "（已删除的用户）",
        "客服" if message.from_staff else "客户",
        date_format(timezone.localtime(message.created_at), "Y-m-d H:i"),
        message.body,
        format_html('<ul class="ticket-attachments">{}</ul>', attachments) if attachments else "",
    )


def _attachment_url(attachment) -> str:
    return stored_file_url(
        key=attachment.oss_key,
        file_id=attachment.pk,
        filename=attachment.filename,
        content_type=attachment.content_type,
        link=ATTACHMENT_LINK,
        request=None,  # a path on this site: the console's own
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to TICKET_ATTACHMENTS_PER_MESSAGE files, judged here as the service would judge them,
    so that a refusal is the form's error."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        uploads = [single_file_clean(one) for one in data or () if one]
        try:
            services.attachments_check(uploads)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error
        return uploads


class CannedReplySelect(forms.Select):
    """Each option carries its reply's text, which ticket_reply.js puts into the reply box."""

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value:
            option["attrs"]["data-body"] = value.instance.body
        return option


class TicketConsoleForm(forms.ModelForm):
    # Declared, so the console adds no add / edit / view links of users beside it.
    assignee = forms.ModelChoiceField(User.objects.none(), label="负责人", required=False)
    canned_reply = forms.ModelChoiceField(
        CannedReply.objects.none(),
        label="常用回复",
        required=False,
        widget=CannedReplySelect(attrs={"data-canned-replies": "reply"}),
        help_text="选择后插入回复内容；回复内容为空时，以所选常用回复作答。",
    )
    reply = forms.CharField(
        label="回复内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text="保存后工单变为“已回复”，并以邮件通知客户；已关闭的工单随之重新打开。",
    )
    attachments = AttachmentsField(
        label="附件",
        required=False,
        help_text=f"可多选，最多 {settings.TICKET_ATTACHMENTS_PER_MESSAGE} 个",
    )
    close = forms.BooleanField(
        label="回复后关闭工单", required=False, help_text="不填回复内容时直接关闭"
    )
    close_final = forms.BooleanField(
        label="作为最终关闭",
        required=False,
        help_text="客户不能再追问或重新打开，如有新问题须提交新工单",
    )

    class Meta:
        model = Ticket
        fields = ("assignee",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ticket = self.instance
        current = User.objects.filter(pk=ticket.assignee_id)  # shown until reassigned
        self.fields["assignee"].queryset = (active_staff() | current).order_by("email")
        self.fields["canned_reply"].queryset = CannedReply.objects.filter(
            Q(ticket_type=ticket.ticket_type) | Q(ticket_type__isnull=True)
        )

    def clean(self):
        cleaned = super().clean()
        canned = cleaned.get("canned_reply")
        if not cleaned.get("reply") and canned is not None:
            cleaned["reply"] = canned.body
        if cleaned.get("attachments") and not cleaned.get("reply"):
            self.add_error("reply", "发送附件时须填写回复内容")
        return cleaned
