from accounts.models import Role, User
from contracts.models import Contract


def contract_is_accessible_by(contract: Contract, user: User) -> bool:
    """The owner and the admin role may read a contract and change its sign status."""
    return contract.owner_id == user.pk or user.role == Role.ADMIN
