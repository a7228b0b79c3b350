"""The original FastAPI design of rokv (see the seed description), kept as a yardstick for speed."""
import json, os, uuid
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

with open(os.environ.get("KV_DATA", "data.json")) as f:
    DB = json.load(f)

app = FastAPI()

class Query(BaseModel):
    key: str

@app.post("/get_value")
async def get_value(q: Query):
    try:
        u = uuid.UUID(q.key)
        if u.version != 4:
            raise ValueError
    except ValueError:
        return JSONResponse(status_code=400, content={"message": f"key {q.key!r} is not a valid UUID4"})
    v = DB.get(q.key)
    if v is None:
        return JSONResponse(status_code=404, content={"message": f"key {q.key} not found"})
    return {"value": v}
