from ninja import Router

router = Router(tags=["safety plan"])
