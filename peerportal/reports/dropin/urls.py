app_name = "dropin"

urlpatterns: list = []
