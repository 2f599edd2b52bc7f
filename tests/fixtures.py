"""Answers of QueueMetrics as printed in Loway's guide, and builders for test states."""

from __future__ import annotations

from typing import Any

GUIDE_CLASSIC: dict[str, Any] = {
    "result": [
        ["Status", "OK"],
        ["Description", ""],
        ["Time elapsed (ms)", 14],
        ["QM Version", "beta1"],
    ],
    "RealtimeDO.RtAgentsRaw": [
        ["ACB_queue", "ACB_agent", "ACB_logon", "ACB_extension", "ACB_onPause",
         "ACB_curPauseCode", "ACB_curPauseTst", "ACB_pausetime", "ACB_pausesess",
         "ACB_obPauseList", "ACB_serverId", "ACB_lstCallQueue", "ACB_lstCallCaller",
         "ACB_lstCallTst", "ACB_lstCallivr", "ACB_lstCallWaitLen", "ACB_lstCallLen",
         "ACB_freeSincePauOrCallTst", "ACB_inCurrStatusSinceTst"],
        ["300", "agent/101", "1689601183", "", "", "", "0", "", "", "", "", "", "",
         "", "", "", "", "0", "1689601183"],
        ["300", "agent/102", "1689601176", "", "", "", "0", "", "", "", "", "", "",
         "", "", "", "", "0", "1689601176"],
    ],
}  # fmt: skip

GUIDE_SIMPLE: dict[str, Any] = {
    "result": {"Status": "OK", "QM Version": "beta1", "Description": "", "Time elapsed (ms)": 12},
    "RealtimeDO.RtAgentsRaw": [
        {"ACB_serverId": "", "ACB_onPause": "", "ACB_queue": "300", "ACB_logon": "1689601183",
         "ACB_curPauseCode": "", "ACB_lstCallQueue": "", "ACB_lstCallivr": "",
         "ACB_agent": "agent/101", "ACB_freeSincePauOrCallTst": "0", "ACB_lstCallCaller": "",
         "ACB_pausesess": "", "ACB_lstCallWaitLen": "", "ACB_curPauseTst": "0",
         "ACB_extension": "", "ACB_obPauseList": "", "ACB_lstCallTst": "", "ACB_lstCallLen": "",
         "ACB_pausetime": "", "ACB_inCurrStatusSinceTst": "1689601183"},
        {"ACB_serverId": "", "ACB_onPause": "", "ACB_queue": "300", "ACB_logon": "1689601176",
         "ACB_curPauseCode": "", "ACB_lstCallQueue": "", "ACB_lstCallivr": "",
         "ACB_agent": "agent/102", "ACB_freeSincePauOrCallTst": "0", "ACB_lstCallCaller": "",
         "ACB_pausesess": "", "ACB_lstCallWaitLen": "", "ACB_curPauseTst": "0",
         "ACB_extension": "", "ACB_obPauseList": "", "ACB_lstCallTst": "", "ACB_lstCallLen": "",
         "ACB_pausetime": "", "ACB_inCurrStatusSinceTst": "1689601176"},
    ],
}  # fmt: skip

GUIDE_KO = {"action": "", "resultStatus": "K0: Agent: 'Agent/102' not logged on"}

CALL_TITLES = ["RT_queue", "RT_callid", "RT_entered", "RT_answered", "RT_stint", "RT_agent",
               "RT_caller", "RT_url", "RT_dnis", "RT_serverId"]  # fmt: skip


def calls_block(*rows: list[str]) -> list[list[str]]:
    return [CALL_TITLES, *[list(r) for r in rows]]


def call_row(
    queue: str, callid: str, entered: int, answered: int = 0, agent: str = "", caller: str = ""
) -> list[str]:
    return [queue, callid, str(entered), str(answered), "", agent, caller, "", "", ""]


def with_calls(payload: dict[str, Any], *rows: list[str]) -> dict[str, Any]:
    return {**payload, "RealtimeDO.RtCallsRaw": calls_block(*rows)}
