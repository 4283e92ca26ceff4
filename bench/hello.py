"""The baseline server: a bare FastAPI app with one endpoint, served like Renkei is."""

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        """The smallest JSON answer FastAPI can give."""
        return {"hello": "world"}

    return app
