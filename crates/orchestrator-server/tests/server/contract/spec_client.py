# The Python client of ../shared/spec/async-task-api.md ("Python Client with
# Polling Logic"), as the spec gives it, with two changes: the set of final
# states its `if current_status in:` leaves out is filled in with the
# contract's two (COMPLETED, FAILED), and the bot and document come from
# the command line instead of being fixed. A client that knows only the
# contract: the tests check that it stops waiting on a cancelled task.
import requests
import time
import os
import sys

API_BASE_URL = os.getenv("ORCHESTRATOR_API_URL", "http://127.0.0.1:8000")
API_KEY = os.getenv("ADMIN_API_KEY", "secret-key")

def run_async_task(bot_id: str, document_url: str):
    headers = {
        "Authorization": f"Bearer {API_KEY}",
        "Content-Type": "application/json"
    }
    initiate_url = f"{API_BASE_URL}/v1/bots/{bot_id}/actions/analyze-document"
    payload = {"document_url": document_url}

    # 1. Initiate the task
    print(f"Submitting task to analyze: {document_url}")
    response = requests.post(initiate_url, headers=headers, json=payload)

    if response.status_code!= 202:
        print(f"Error initiating task: {response.status_code} - {response.text}")
        return

    status_url = API_BASE_URL + response.headers["Location"]
    print(f"Task accepted. Polling status at: {status_url}", flush=True)

    # 2. Poll for the result
    while True:
        try:
            status_response = requests.get(status_url, headers=headers)
            status_data = status_response.json()
            current_status = status_data.get("status")

            print(f"  Current status: {current_status}", flush=True)

            if current_status in ("COMPLETED", "FAILED"):
                print("\n--- Task Finished ---")
                print(status_data)
                break

            # Wait before polling again
            time.sleep(5)

        except requests.RequestException as e:
            print(f"Error polling status: {e}")
            break

if __name__ == "__main__":
    run_async_task(sys.argv[1], sys.argv[2])
