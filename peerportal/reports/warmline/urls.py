app_name = "warmline"

urlpatterns: list = []
