"""azure-core's LROPoller driving the orchestrator API.

Stock azure-core cannot drive it alone: its LocationPolling treats the first
200 as the final answer (this API answers 200 with PENDING/RUNNING), and it
does not resolve a relative Location. This small strategy maps the task
states onto azure-core's and joins the Location to the request URL."""
import json
import os
import sys
from urllib.parse import urljoin

from azure.core import PipelineClient
from azure.core.pipeline.policies import HeadersPolicy, RequestIdPolicy
from azure.core.polling import LROPoller
from azure.core.polling.base_polling import LocationPolling, LROBasePolling
from azure.core.rest import HttpRequest

STATES = {"PENDING": "InProgress", "RUNNING": "InProgress", "COMPLETED": "Succeeded",
          "FAILED": "Failed", "CANCELLED": "Canceled", "CANCELED": "Canceled"}


class TaskStatusPolling(LocationPolling):
    def set_initial_status(self, pipeline_response):
        response = pipeline_response.http_response
        self._location_url = urljoin(response.request.url, response.headers["location"])
        return "InProgress"

    def get_status(self, pipeline_response):
        body = json.loads(pipeline_response.http_response.text())
        return STATES.get(str(body.get("status", "")).upper(), "InProgress")

    def get_final_get_url(self, pipeline_response):
        return None  # the last status already carries the result


def main():
    if sys.argv[1:2] == ["--version"]:
        print("azure-lro 1")
        return
    base = os.getenv("ORCHESTRATOR_API_URL", "http://127.0.0.1:8000")
    headers = HeadersPolicy({"Authorization": f"Bearer {os.getenv('ADMIN_API_KEY', 'secret-key')}"})
    client = PipelineClient(base_url=base, policies=[RequestIdPolicy(), headers])
    request = HttpRequest("POST", f"{base}/v1/bots/{sys.argv[1]}/actions/analyze-document",
                          json={"document_url": sys.argv[2]})
    initial = client._pipeline.run(request)
    poller = LROPoller(client, initial, lambda r: json.loads(r.http_response.text()),
                       LROBasePolling(timeout=1, lro_algorithms=[TaskStatusPolling()]))
    print(json.dumps(poller.result()))


if __name__ == "__main__":
    main()
