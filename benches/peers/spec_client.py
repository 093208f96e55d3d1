"""The Python client from the spec (../shared/spec/async-task-api.md, section 2),
with its one syntax slip fixed (`if current_status in:` had lost its tuple) and
its inputs taken from argv so the benchmark can drive it. The polling logic —
a fixed 5 s sleep — is unchanged."""
import os
import sys
import time

import requests

API_BASE_URL = os.getenv("ORCHESTRATOR_API_URL", "http://127.0.0.1:8000")
API_KEY = os.getenv("ADMIN_API_KEY", "secret-key")


def run_async_task(bot_id: str, document_url: str):
    headers = {
        "Authorization": f"Bearer {API_KEY}",
        "Content-Type": "application/json"
    }
    initiate_url = f"{API_BASE_URL}/v1/bots/{bot_id}/actions/analyze-document"
    payload = {"document_url": document_url}

    print(f"Submitting task to analyze: {document_url}")
    response = requests.post(initiate_url, headers=headers, json=payload)

    if response.status_code != 202:
        print(f"Error initiating task: {response.status_code} - {response.text}")
        return

    status_url = API_BASE_URL + response.headers["Location"]
    print(f"Task accepted. Polling status at: {status_url}")

    while True:
        try:
            status_response = requests.get(status_url, headers=headers)
            status_data = status_response.json()
            current_status = status_data.get("status")

            print(f"  Current status: {current_status}")

            if current_status in ("COMPLETED", "FAILED"):
                print("\n--- Task Finished ---")
                print(status_data)
                break

            time.sleep(5)

        except requests.RequestException as e:
            print(f"Error polling status: {e}")
            break


if __name__ == "__main__":
    if sys.argv[1:2] == ["--version"]:
        print("spec-client 1")
        sys.exit(0)
    run_async_task(sys.argv[1], sys.argv[2])
