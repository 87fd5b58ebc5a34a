"""The Compliance API simulator: a generated organisation served over real HTTP on loopback.

org = generate_org(seed, users, chats)
with SimulatorServer(org, port=0) as server:
    ...  # point a client at server.url with x-api-key "sk-ant-api01-chatsift-simulator"

Endpoints: chats list and messages (routes.py), organizations and users, file / generated-file /
artifact metadata and downloads (routes_files.py), the activity feed (routes_activities.py).
Faults (faults.py) are settable while serving; ground truth is ``SimOrg.planted`` (chat text) and
``SimOrg.planted_attachments`` (attachment contents), resolved by ``SimOrg.text_of``.
"""

from fetch.simulator.activities import Activity
from fetch.simulator.attachments import Attachment
from fetch.simulator.contents import BIG_TEXT_BYTES
from fetch.simulator.faults import Failure, Faults
from fetch.simulator.generate import BASE_TIME, generate_org
from fetch.simulator.org import OrgUnit, SimChat, SimOrg, SimUser
from fetch.simulator.planted import ENTITY_CATEGORIES, PlantedValue
from fetch.simulator.server import DEFAULT_API_KEY, SimulatorServer, Stats

__all__ = [
    "BASE_TIME",
    "BIG_TEXT_BYTES",
    "DEFAULT_API_KEY",
    "ENTITY_CATEGORIES",
    "Activity",
    "Attachment",
    "Failure",
    "Faults",
    "OrgUnit",
    "PlantedValue",
    "SimChat",
    "SimOrg",
    "SimUser",
    "SimulatorServer",
    "Stats",
    "generate_org",
]
