"""Records, per host and task, the loop items that changed, and the play recap, as JSON in
the file $ZPLAN_CHANGES_FILE: what the deploy test asserts on."""

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "zplan_changes"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self.changed = {}

    def v2_runner_item_on_ok(self, result):
        if result._result.get("changed"):
            tasks = self.changed.setdefault(result._host.get_name(), {})
            tasks.setdefault(result._task.get_name(), []).append(result._result.get("item"))

    def v2_playbook_on_stats(self, stats):
        recap = {host: stats.summarize(host) for host in sorted(stats.processed)}
        with open(os.environ["ZPLAN_CHANGES_FILE"], "w") as out:
            json.dump({"changed": self.changed, "recap": recap}, out, indent=1, sort_keys=True)
