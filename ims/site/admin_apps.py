from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin with IMS's site (ims.site.admin_site), which asks the policy who may enter."""

    default_site = "ims.site.admin_site.AdminSite"
