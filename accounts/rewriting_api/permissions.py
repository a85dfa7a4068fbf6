from rest_framework.permissions import BasePermission

from accounts.models import Role


class IsAdminRole(BasePermission):
    message = "仅管理员可修改用户角色"

    def has_permission(self, request, view) -> bool:
        return request.user.role == Role.ADMIN


class MayChangeRates(IsAdminRole):
    message = "仅管理员可修改用户费率"


class MayChangePoints(IsAdminRole):
    message = "仅管理员可修改用户积分"


class MayReadStatistics(IsAdminRole):
    message = "仅管理员可查看字数统计"
