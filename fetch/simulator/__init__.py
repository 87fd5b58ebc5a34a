"""The Compliance API simulator: a generated organisation served over real HTTP on loopback.

org = generate_org(seed, users, chats)
with SimulatorServer(org, port=0) as server:
    ...  # point a client at server.url with x-api-key "sk-ant-api01-chatsift-simulator"
"""

from fetch.simulator.faults import Failure, Faults
from fetch.simulator.generate import BASE_TIME, generate_org
from fetch.simulator.org import OrgUnit, SimChat, SimOrg, SimUser
from fetch.simulator.planted import ENTITY_CATEGORIES, PlantedValue
from fetch.simulator.server import DEFAULT_API_KEY, SimulatorServer, Stats

__all__ = [
    "BASE_TIME",
    "DEFAULT_API_KEY",
    "ENTITY_CATEGORIES",
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
