"""What the simulator's route handlers receive through FastAPI's ``Depends``.

The dependencies are coroutines on purpose: FastAPI runs plain functions in a worker thread,
and the simulation must only ever be touched from the event loop that ticks it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from wallboard.simulator.simulation import Simulation


async def running(request: Request) -> Simulation:
    """The app's simulation, as it is."""
    sim: Simulation = request.app.state.sim
    return sim


async def ticked(sim: Annotated[Simulation, Depends(running)]) -> Simulation:
    """The app's simulation, brought up to now first."""
    sim.tick()
    return sim


RunningSim = Annotated[Simulation, Depends(running)]
TickedSim = Annotated[Simulation, Depends(ticked)]
