//! `GET /openapi.json`: the API as this server implements it.

use axum::Json;
use serde_json::{Value, json};

use super::submit::ACTIONS;

pub async fn serve() -> Json<Value> {
    Json(openapi_document())
}

/// The OpenAPI 3.1 document of this server's API.
pub fn openapi_document() -> Value {
    let problem = json!({"$ref": "#/components/responses/Problem"});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "orchestrator asynchronous task API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Asynchronous Request-Reply: submit work, get 202 + Location, poll the status resource (optionally long-polling with `Prefer: wait=N`)."
        },
        "security": [{"bearer": []}],
        "paths": {
            "/v1/bots/{bot_id}/actions/{action}": {
                "post": {
                    "operationId": "submitAction",
                    "summary": "Submit a task",
                    "parameters": [
                        {"name": "bot_id", "in": "path", "required": true,
                         "schema": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"}},
                        {"name": "action", "in": "path", "required": true,
                         "schema": {"type": "string", "enum": ACTIONS}},
                        {"name": "Idempotency-Key", "in": "header", "required": false,
                         "description": "The same key with the same body returns the same task for at least 24 h; with a different body it is refused (422).",
                         "schema": {"type": "string", "minLength": 1, "maxLength": 255}}
                    ],
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnalyzeDocument"}}}
                    },
                    "responses": {
                        "202": {
                            "description": "Accepted; poll the Location.",
                            "links": {
                                "GetTask": {"operationId": "getTask", "parameters": {"task_id": "$response.body#/task_id"}},
                                "CancelTask": {"operationId": "cancelTask", "parameters": {"task_id": "$response.body#/task_id"}}
                            },
                            "headers": {
                                "Location": {"required": true, "schema": {"type": "string"}, "description": "/v1/tasks/{task_id}"},
                                "Retry-After": {"schema": {"type": "integer", "minimum": 0}}
                            },
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Accepted"}}}
                        },
                        "400": problem, "401": problem, "404": problem, "413": problem,
                        "415": problem, "422": problem,
                        "503": {"$ref": "#/components/responses/Unavailable"}
                    }
                }
            },
            "/v1/tasks/{task_id}": {
                "parameters": [
                    {"name": "task_id", "in": "path", "required": true, "schema": {"type": "string"}}
                ],
                "get": {
                    "operationId": "getTask",
                    "summary": "Get a task's status (optionally waiting for a change)",
                    "parameters": [
                        {"name": "Prefer", "in": "header", "required": false,
                         "description": "`wait=N` (RFC 7240): hold the request until the task changes or N seconds pass (at most 30).",
                         "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "The task's status.",
                            "headers": {
                                "Retry-After": {"schema": {"type": "integer", "minimum": 1, "maximum": 30},
                                                "description": "Sent while the task has not finished, unless the request long-polled (the wait already happened on the server)."},
                                "Preference-Applied": {"schema": {"type": "string"}}
                            },
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskStatus"}}}
                        },
                        "401": problem, "404": problem,
                        "503": {"$ref": "#/components/responses/Unavailable"}
                    }
                },
                "delete": {
                    "operationId": "cancelTask",
                    "summary": "Cancel a task that has not finished",
                    "responses": {
                        "200": {
                            "description": "Cancelled.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskStatus"}}}
                        },
                        "401": problem, "404": problem, "409": problem,
                        "503": {"$ref": "#/components/responses/Unavailable"}
                    }
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "health",
                    "security": [],
                    "responses": {"200": {"description": "Serving.", "content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "responses": {
                        "200": {"description": "This document.", "content": {"application/json": {"schema": {"type": "object"}}}},
                        "401": problem
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "AnalyzeDocument": {
                    "type": "object",
                    "required": ["document_url"],
                    "properties": {"document_url": {
                        "type": "string",
                        "minLength": 1,
                        "description": "An absolute http(s) URL or a data: URL (file:// too when the server has --documents-dir); anything else is refused with 422. Where it points is checked when the task runs: private addresses and unreadable documents end the task FAILED."
                    }}
                },
                "Accepted": {
                    "type": "object",
                    "required": ["task_id", "status"],
                    "properties": {"task_id": {"type": "string"}, "status": {"$ref": "#/components/schemas/State"}}
                },
                "State": {"type": "string", "enum": ["PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"]},
                "TaskStatus": {
                    "type": "object",
                    "required": ["task_id", "status", "created_at"],
                    "properties": {
                        "task_id": {"type": "string"},
                        "status": {"$ref": "#/components/schemas/State"},
                        "progress_percent": {"type": "integer", "minimum": 0, "maximum": 100},
                        "result": {"$ref": "#/components/schemas/Analysis"},
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {"code": {"type": "string"}, "message": {"type": "string"}}
                        },
                        "created_at": {"type": "string", "format": "date-time"},
                        "completed_at": {"type": "string", "format": "date-time"}
                    }
                },
                "Analysis": {
                    "type": "object",
                    "required": ["summary", "sentiment", "entities", "word_count"],
                    "properties": {
                        "summary": {"type": "string"},
                        "sentiment": {"type": "string", "enum": ["POSITIVE", "NEGATIVE", "NEUTRAL"]},
                        "sentiment_score": {"type": "number", "minimum": -1, "maximum": 1},
                        "entities": {"type": "array", "items": {"type": "string"}},
                        "word_count": {"type": "integer", "minimum": 0},
                        "sentence_count": {"type": "integer", "minimum": 0},
                        "media_type": {"type": "string"}
                    }
                },
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "detail"],
                    "properties": {
                        "type": {"type": "string"}, "title": {"type": "string"},
                        "status": {"type": "integer"}, "detail": {"type": "string"},
                        "field": {"type": "string"}
                    }
                }
            },
            "responses": {
                "Problem": {
                    "description": "RFC 9457 problem details.",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                },
                "Unavailable": {
                    "description": "Overloaded (queue full) or an injected fault; retry after the header's delay.",
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                }
            }
        }
    })
}
