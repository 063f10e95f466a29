"""Scenarios about resources: OOM kills, memory pressure, CPU throttling."""

# JSON log templates hold braces, so they use %-formatting.
# ruff: noqa: UP031

from __future__ import annotations

from dataclasses import replace

from common import (
    BOUTIQUE_NS,
    Spec,
    application,
    backoff,
    boutique_files,
    boutique_workload,
    crashloop_alert,
    dump_values,
    memory_alert,
    not_ready_alert,
    oom_alert,
    started,
    throttling_alert,
    ts_log,
)
from inhouse import service_files, service_values, service_workload
from kube import NODES, Container, Event, Pod, Workload, t

CRASH = "back-off 5m0s restarting failed container={c} pod={p}_{ns}(6d1f0c2e-8a7b-4c1d-9e3f-2b5a7c9d0e1f)"
OOM_LAST = ("OOMKilled", 137, -9.0, -4.0)


def crashing(
    container: str, pod: str, ns: str, restarts: int, last: tuple[str, int, float, float] = OOM_LAST
) -> dict[str, object]:
    return {
        "state": "waiting",
        "reason": "CrashLoopBackOff",
        "message": CRASH.format(c=container, p=pod, ns=ns),
        "last": last,
        "restarts": restarts,
        "ready": False,
    }


def go_checkout_log(n: int, start: float) -> str:
    lines = []
    for i in range(n):
        lines.append(
            '{"message":"[PlaceOrder] user_id=\\"a3f1c6a0-%04d-4b8e-9d2c-5f0e1b7a9c11\\" user_currency=\\"EUR\\"","severity":"info","timestamp":"%s"}'
            % (i, ts_log(start + i * 0.05, i))
        )
        lines.append(
            '{"message":"payment went through (transaction_id: %08x-6c3d-4f7a-8b2e-%012x)","severity":"info","timestamp":"%s"}'
            % (0x9A3C0000 + i, 0x5D7F2A000000 + i, ts_log(start + i * 0.05 + 0.01, i))
        )
    return "\n".join(lines)


def boutique_start(name: str, port: int, minutes: float) -> str:
    return "\n".join(
        [
            '{"message":"starting to listen on tcp: \\"[::]:%d\\"","severity":"info","timestamp":"%s"}'
            % (port, ts_log(minutes)),
            '{"message":"profiler disabled.","severity":"info","timestamp":"%s"}'
            % ts_log(minutes, 1),
            '{"message":"tracing disabled.","severity":"info","timestamp":"%s"}'
            % ts_log(minutes, 2),
            '{"message":"service config: &{productCatalogSvcAddr:productcatalogservice:3550 cartSvcAddr:cartservice:7070 currencySvcAddr:currencyservice:7000 shippingSvcAddr:shippingservice:50051 emailSvcAddr:emailservice:5000 paymentSvcAddr:paymentservice:50051}","severity":"info","timestamp":"%s"}'
            % ts_log(minutes, 3)
            if name == "checkoutservice"
            else '{"message":"%s starting","severity":"info","timestamp":"%s"}'
            % (name, ts_log(minutes, 3)),
        ]
    )


def oom_go_checkout(split: str, name: str) -> Spec:
    w = boutique_workload("checkoutService")
    pod = w.pod_names()[0]
    w.containers[0] = replace(w.containers[0], **crashing("server", pod, BOUTIQUE_NS, 6))
    w.containers[0].previous = (
        boutique_start("checkoutservice", 5050, -9) + "\n" + go_checkout_log(40, -8.5)
    )
    w.containers[0].log = boutique_start("checkoutservice", 5050, -3)
    return Spec(
        name=name,
        split=split,
        description="Go checkoutservice killed at its 128Mi limit during an order burst (silent kernel kill, OOMKilled 137).",
        workloads=[w],
        alert=oom_alert(w, pod, "server"),
        events={
            BOUTIQUE_NS: [
                *started(pod, "server", w.containers[0].image, 7),
                backoff(pod, "server", BOUTIQUE_NS, 23),
            ]
        },
        files=boutique_files(),
        charts=["onlineboutique"],
        ports={"checkoutservice": 5050},
        expect={
            "categories": ["oom"],
            "status": ["proposed"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "file": "values/online-boutique.yaml",
                    "path": "checkoutService.resources.limits.memory",
                    "direction": "up",
                    "min": "160Mi",
                    "max": "256Mi",
                }
            ],
            "forbidden_changes": [
                {"path": "frontend"},
                {"path": "cartService"},
                {"path": "images"},
                {"path": "checkoutService.resources.requests.cpu"},
            ],
            "max_attempts": 1,
        },
    )


def jvm_adservice_killed() -> Spec:
    w = boutique_workload("adService")
    pod = w.pod_names()[0]
    c = w.containers[0]
    c.state, c.reason, c.message = (
        "waiting",
        "CrashLoopBackOff",
        CRASH.format(c="server", p=pod, ns=BOUTIQUE_NS),
    )
    c.last, c.restarts, c.ready = ("OOMKilled", 137, -12.0, -5.0), 4, False
    c.previous = "\n".join(
        [
            "Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=75.0",
            '{"instant":{"epochSecond":1763458320,"nanoOfSecond":221000000},"thread":"main","level":"INFO","loggerName":"hipstershop.AdService","message":"AdService starting.","endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":1,"threadPriority":5,"logging.googleapis.com/trace":"00000000000000000000000000000000","logging.googleapis.com/spanId":"0000000000000000","logging.googleapis.com/traceSampled":"false","time":"2025-11-18T09:30:07.221Z"}',
            '{"instant":{"epochSecond":1763458321,"nanoOfSecond":904000000},"thread":"main","level":"INFO","loggerName":"hipstershop.AdService","message":"Ad Service started, listening on 9555","endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":1,"threadPriority":5,"time":"2025-11-18T09:30:08.904Z"}',
        ]
        + [
            '{"instant":{"epochSecond":%d,"nanoOfSecond":118000000},"thread":"grpc-default-executor-%d","level":"INFO","loggerName":"hipstershop.AdService","message":"received ad request (context_words=[%s])","endOfBatch":false,"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":%d,"threadPriority":5,"time":"2025-11-18T09:3%d:%02d.118Z"}'
            % (
                1763458400 + i,
                i % 8,
                ["clothing", "accessories", "footwear", "hair", "decor", "kitchen"][i % 6],
                20 + i % 8,
                1 + i // 60,
                i % 60,
            )
            for i in range(30)
        ]
    )
    c.log = "Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=75.0\n" + c.previous.splitlines()[1]
    c.env = [*c.env, {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75.0"}]
    return Spec(
        name="oom-jvm-adservice-container-limit",
        split="test",
        description="Java adservice with MaxRAMPercentage=75 killed by the kernel at its 300Mi limit (heap + metaspace + threads): raise the container limit.",
        workloads=[w],
        alert=oom_alert(w, pod, "server"),
        events={
            BOUTIQUE_NS: [
                *started(pod, "server", c.image, 5),
                backoff(pod, "server", BOUTIQUE_NS, 14),
            ]
        },
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["oom"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "adService.resources.limits.memory",
                    "direction": "up",
                    "min": "360Mi",
                    "max": "600Mi",
                }
            ],
            "forbidden_changes": [
                {"path": "adService.resources.requests.cpu"},
                {"path": "frontend"},
            ],
            "max_attempts": 1,
        },
    )


def jvm_heap_space() -> Spec:
    w = boutique_workload("adService")
    pod = w.pod_names()[0]
    c = w.containers[0]
    c.env = [*c.env, {"name": "JAVA_TOOL_OPTIONS", "value": "-Xmx160m -XX:+ExitOnOutOfMemoryError"}]
    c.state, c.reason, c.message = (
        "waiting",
        "CrashLoopBackOff",
        CRASH.format(c="server", p=pod, ns=BOUTIQUE_NS),
    )
    c.last, c.restarts, c.ready = ("Error", 3, -10.0, -4.5), 5, False
    c.previous = "\n".join(
        [
            "Picked up JAVA_TOOL_OPTIONS: -Xmx160m -XX:+ExitOnOutOfMemoryError",
            '{"instant":{"epochSecond":1763458321,"nanoOfSecond":904000000},"thread":"main","level":"INFO","loggerName":"hipstershop.AdService","message":"Ad Service started, listening on 9555","endOfBatch":false,"threadId":1,"threadPriority":5,"time":"2025-11-18T09:30:08.904Z"}',
            '{"instant":{"epochSecond":1763458502,"nanoOfSecond":11000000},"thread":"grpc-default-executor-6","level":"INFO","loggerName":"hipstershop.AdService","message":"received ad request (context_words=[clothing])","endOfBatch":false,"threadId":26,"threadPriority":5,"time":"2025-11-18T09:35:02.011Z"}',
            "Terminating due to java.lang.OutOfMemoryError: Java heap space",
        ]
    )
    c.log = "Picked up JAVA_TOOL_OPTIONS: -Xmx160m -XX:+ExitOnOutOfMemoryError"
    return Spec(
        name="oom-jvm-heap-space-not-container",
        split="dev",
        description="Trap: the JVM exits on 'OutOfMemoryError: Java heap space' at its fixed -Xmx160m, far below the 300Mi container limit. Raising the limit does nothing.",
        workloads=[w],
        alert=crashloop_alert(w, pod, "server"),
        events={
            BOUTIQUE_NS: [
                *started(pod, "server", c.image, 6),
                backoff(pod, "server", BOUTIQUE_NS, 19),
            ]
        },
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["oom", "crashloop"],
            "exit_codes": [3],
            "forbidden_changes": [{"path": "adService.resources.limits.memory"}],
            "no_changes": True,
        },
    )


def pino(level: int, msg: str, minutes: float, name: str, host: str) -> str:
    ms = 1763458927000 + int(minutes * 60000)
    return '{"level":%d,"time":%d,"pid":1,"hostname":"%s","name":"%s","msg":"%s"}' % (
        level,
        ms,
        host,
        name,
        msg,
    )


def node_payment_killed() -> Spec:
    w = boutique_workload("paymentService")
    pod = w.pod_names()[0]
    c = w.containers[0]
    c.state, c.reason, c.message = (
        "waiting",
        "CrashLoopBackOff",
        CRASH.format(c="server", p=pod, ns=BOUTIQUE_NS),
    )
    c.last, c.restarts, c.ready = OOM_LAST, 3, False
    c.previous = "\n".join(
        [
            pino(
                30,
                'PaymentService#Charge invoked with request {\\"amount\\":{\\"currency_code\\":\\"USD\\",\\"units\\":\\"%d\\",\\"nanos\\":990000000},\\"credit_card\\":{\\"credit_card_number\\":\\"4432-8015-6152-0454\\",\\"credit_card_cvv\\":672,\\"credit_card_expiration_year\\":2039,\\"credit_card_expiration_month\\":1}}'
                % (40 + i),
                -8 + i * 0.02,
                "paymentservice-charge",
                pod,
            )
            for i in range(20)
        ]
        + [
            pino(
                30,
                "Transaction processed: visa ending 0454     Amount: USD%d.99" % (40 + i),
                -7.5 + i * 0.02,
                "paymentservice-charge",
                pod,
            )
            for i in range(5)
        ]
    )
    c.log = pino(
        30, "PaymentService gRPC server started on port 50051", -2, "paymentservice-server", pod
    )
    return Spec(
        name="oom-node-paymentservice",
        split="test",
        description="Node.js paymentservice OOMKilled (137) at 128Mi under load: raise the limit.",
        workloads=[w],
        alert=oom_alert(w, pod, "server"),
        events={
            BOUTIQUE_NS: [
                *started(pod, "server", c.image, 4),
                backoff(pod, "server", BOUTIQUE_NS, 9),
            ]
        },
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["oom"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "paymentService.resources.limits.memory",
                    "direction": "up",
                    "min": "160Mi",
                    "max": "256Mi",
                }
            ],
            "forbidden_changes": [
                {"path": "paymentService.resources.limits.cpu"},
                {"path": "currencyService"},
            ],
            "max_attempts": 1,
        },
    )


NODE_HEAP_ABORT = """
<--- Last few GCs --->

[1:0x6a4e0e0]   612934 ms: Mark-Compact 93.6 (100.7) -> 92.9 (101.2) MB, 121.47 / 0.01 ms  (average mu = 0.193, current mu = 0.042) allocation failure; scavenge might not succeed
[1:0x6a4e0e0]   613102 ms: Mark-Compact 93.9 (101.2) -> 93.4 (101.7) MB, 158.02 / 0.00 ms  (average mu = 0.117, current mu = 0.061) allocation failure; scavenge might not succeed


<--- JS stacktrace --->

FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
----- Native stack trace -----

 1: 0xb8ced1 node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]
 2: 0xf06460 v8::Utils::ReportOOMFailure(v8::internal::Isolate*, char const*, v8::OOMDetails const&) [node]
 3: 0xf06747 v8::internal::V8::FatalProcessOutOfMemory(v8::internal::Isolate*, char const*, v8::OOMDetails const&) [node]
 4: 0x11182e5  [node]
 5: 0x1130168 v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags) [node]
 6: 0x1106281 v8::internal::HeapAllocator::AllocateRawWithLightRetrySlowPath(int, v8::internal::AllocationType, v8::internal::AllocationOrigin, v8::internal::AllocationAlignment) [node]
 7: 0x1107415 v8::internal::HeapAllocator::AllocateRawWithRetryOrFailSlowPath(int, v8::internal::AllocationType, v8::internal::AllocationOrigin, v8::internal::AllocationAlignment) [node]
"""


def node_heap_abort() -> Spec:
    w = boutique_workload("currencyService")
    pod = w.pod_names()[0]
    c = w.containers[0]
    c.env = [*c.env, {"name": "NODE_OPTIONS", "value": "--max-old-space-size=96"}]
    c.state, c.reason, c.message = (
        "waiting",
        "CrashLoopBackOff",
        CRASH.format(c="server", p=pod, ns=BOUTIQUE_NS),
    )
    c.last, c.restarts, c.ready = ("Error", 134, -11.0, -4.0), 5, False
    c.previous = (
        "\n".join(
            [
                pino(
                    30,
                    "conversion request successful",
                    -10 + i * 0.1,
                    "currencyservice-server",
                    pod,
                )
                for i in range(15)
            ]
        )
        + NODE_HEAP_ABORT
    )
    c.log = pino(30, "Starting gRPC server on port 7000...", -3, "currencyservice-server", pod)
    return Spec(
        name="oom-node-heap-limit-abort",
        split="dev",
        description="Trap: Node.js aborts (exit 134) at --max-old-space-size=96 while the container limit is 128Mi. The fix is the V8 heap flag, not the container limit.",
        workloads=[w],
        alert=crashloop_alert(w, pod, "server"),
        events={
            BOUTIQUE_NS: [
                *started(pod, "server", c.image, 6),
                backoff(pod, "server", BOUTIQUE_NS, 17),
            ]
        },
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["oom", "crashloop"],
            "exit_codes": [3],
            "forbidden_changes": [{"path": "currencyService.resources.limits.memory"}],
            "no_changes": True,
        },
    )


def python_recommendation_killed() -> Spec:
    w = boutique_workload("recommendationService")
    pod = w.pod_names()[0]
    c = w.containers[0]
    c.state, c.reason, c.message = (
        "waiting",
        "CrashLoopBackOff",
        CRASH.format(c="server", p=pod, ns=BOUTIQUE_NS),
    )
    c.last, c.restarts, c.ready = OOM_LAST, 7, False
    c.previous = "\n".join(
        [
            '{"timestamp": 1763458%03d.%06d, "severity": "INFO", "name": "recommendationservice-server", "message": "[Recv ListRecommendations] product_ids=[\'OLJCESPC7Z\', \'66VCHSJNUP\', \'1YMWWN1N4O\', \'L9ECAV7KIM\', \'2ZYFJ3GM2N\']"}'
            % (500 + i, i * 1371)
            for i in range(25)
        ]
    )
    c.log = '{"timestamp": 1763459110.204518, "severity": "INFO", "name": "recommendationservice-server", "message": "initializing recommendationservice"}\n{"timestamp": 1763459110.318204, "severity": "INFO", "name": "recommendationservice-server", "message": "listening on port: 8080"}'
    return Spec(
        name="oom-python-recommendationservice",
        split="test",
        description="Python recommendationservice killed at 450Mi (no Python traceback: the kernel kills it).",
        workloads=[w],
        alert=oom_alert(w, pod, "server"),
        events={
            BOUTIQUE_NS: [
                *started(pod, "server", c.image, 8),
                backoff(pod, "server", BOUTIQUE_NS, 31),
            ]
        },
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["oom"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "recommendationService.resources.limits.memory",
                    "direction": "up",
                    "min": "512Mi",
                    "max": "900Mi",
                }
            ],
            "forbidden_changes": [{"path": "recommendationService.resources.requests"}],
            "max_attempts": 1,
        },
    )


def spring_log(level: str, thread: str, logger: str, msg: str, minutes: float, ms: int = 0) -> str:
    stamp = t(minutes).replace("Z", f".{ms:03d}Z")
    return f"{stamp}  {level:>5} 1 --- [{thread:>15}] {logger:<40} : {msg}"


def orders_api(
    limit: str, restarts: int, name: str = "orders-api", ns: str = "orders"
) -> tuple[Workload, str]:
    c = Container(
        name=name,
        image=f"ghcr.io/acme/{name}:3.8.2",
        requests={"cpu": "500m", "memory": limit},
        limits={"cpu": "2", "memory": limit},
        ports=[("http", 8080)],
        env=[
            {"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
            {"name": "JAVA_TOOL_OPTIONS", "value": "-XX:MaxRAMPercentage=75.0"},
        ],
    )
    w = service_workload(name, ns, c, replicas=2)
    pod = w.pod_names()[0]
    c.state, c.reason, c.message = "waiting", "CrashLoopBackOff", CRASH.format(c=name, p=pod, ns=ns)
    c.last, c.restarts, c.ready = OOM_LAST, restarts, False
    w.pods[1].overrides = {
        name: {
            "state": "running",
            "reason": None,
            "message": None,
            "last": None,
            "restarts": 0,
            "ready": True,
        }
    }
    c.previous = "\n".join(
        [
            spring_log(
                "INFO",
                "main",
                "c.a.orders.OrdersApplication",
                "Starting OrdersApplication v3.8.2 using Java 17.0.9 with PID 1 (/app/app.jar started by app in /app)",
                -30,
            ),
            spring_log(
                "INFO",
                "main",
                "c.a.orders.OrdersApplication",
                "Started OrdersApplication in 21.412 seconds (process running for 23.207)",
                -29.6,
            ),
        ]
        + [
            spring_log(
                "INFO",
                f"http-nio-8080-exec-{i % 10 + 1}",
                "c.a.orders.web.OrderController",
                f"GET /api/v1/orders?customer=C-{10042 + i} 200 {180 + i * 7}ms",
                -20 + i * 0.3,
            )
            for i in range(20)
        ]
    )
    c.log = spring_log(
        "INFO",
        "main",
        "c.a.orders.OrdersApplication",
        "Starting OrdersApplication v3.8.2 using Java 17.0.9 with PID 1 (/app/app.jar started by app in /app)",
        -2,
    )
    return w, pod


def limit_at_cap() -> Spec:
    w, pod = orders_api("2Gi", 5)
    values = service_values(
        "orders-api",
        tag="3.8.2",
        replicas=2,
        resources={
            "requests": {"cpu": "500m", "memory": "2Gi"},
            "limits": {"cpu": "2", "memory": "2Gi"},
        },
    )
    files = service_files("orders-api", "orders", values)
    files["dr-kube-policy.yaml"] = (
        '# The platform team\'s rules for DR-Kube.\nprotected_namespaces: [kube-system, argocd]\ncaps:\n  memory: 2Gi\n  cpu: "4"\nmax_attempts: 3\n'
    )
    return Spec(
        name="oom-limit-already-at-cap",
        split="dev",
        description="orders-api OOMKilled at 2Gi, which is already the policy's memory cap: no fix may go above it.",
        workloads=[w],
        alert=oom_alert(w, pod, "orders-api"),
        events={"orders": [backoff(pod, "orders-api", "orders", 12)]},
        files=files,
        charts=["service"],
        expect={
            "categories": ["oom"],
            "exit_codes": [3],
            "status": ["no-fix", "rejected"],
            "forbidden_changes": [{"path": "resources.limits.memory"}],
            "no_changes": True,
        },
    )


def limit_near_cap() -> Spec:
    w, pod = orders_api("1536Mi", 3)
    values = service_values(
        "orders-api",
        tag="3.8.2",
        replicas=2,
        resources={
            "requests": {"cpu": "500m", "memory": "1536Mi"},
            "limits": {"cpu": "2", "memory": "1536Mi"},
        },
    )
    files = service_files("orders-api", "orders", values)
    files["dr-kube-policy.yaml"] = (
        "protected_namespaces: [kube-system, argocd]\ncaps:\n  memory: 2Gi\n"
    )
    return Spec(
        name="oom-limit-near-cap",
        split="test",
        description="orders-api OOMKilled at 1536Mi; the cap is 2Gi, so the fix must stop at 2Gi, not double to 3Gi.",
        workloads=[w],
        alert=oom_alert(w, pod, "orders-api"),
        events={"orders": [backoff(pod, "orders-api", "orders", 7)]},
        files=files,
        charts=["service"],
        expect={
            "categories": ["oom"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "resources.limits.memory",
                    "direction": "up",
                    "min": "1600Mi",
                    "max": "2Gi",
                }
            ],
            "forbidden_changes": [{"path": "replicaCount"}, {"path": "image"}],
            "max_attempts": 1,
        },
    )


def memory_leak() -> Spec:
    c = Container(
        name="worker",
        image="ghcr.io/acme/orders-worker:1.12.0",
        requests={"cpu": "250m", "memory": "512Mi"},
        limits={"cpu": "1", "memory": "512Mi"},
        env=[{"name": "NODE_ENV", "value": "production"}],
    )
    w = service_workload("orders-worker", "orders", c)
    pod = w.pod_names()[0]
    c.state, c.restarts, c.last, c.started_min = (
        "running",
        14,
        ("OOMKilled", 137, -372.0, -191.0),
        -190,
    )
    c.ready = True
    rss = [180 + 19 * i for i in range(17)]
    c.previous = "\n".join(
        '{"level":"info","time":"%s","msg":"memory","rss_mb":%d,"heap_used_mb":%d,"queue":"orders.created","processed":%d}'
        % (t(-372 + 11 * i), r, r - 48, 9000 + 6200 * i)
        for i, r in enumerate(rss)
    )
    c.log = "\n".join(
        '{"level":"info","time":"%s","msg":"memory","rss_mb":%d,"heap_used_mb":%d,"queue":"orders.created","processed":%d}'
        % (t(-190 + 11 * i), 180 + 19 * i, 132 + 19 * i, 9000 + 6200 * i)
        for i in range(17)
    )
    events = [
        Event(
            "Pod",
            pod,
            "Killing",
            "Memory cgroup out of memory: Killed process 1 (node) total-vm:1387412kB, anon-rss:523604kB",
            type="Warning",
            count=1,
            first=-191,
            last=-191,
            field_path="spec.containers{worker}",
            component="kubelet",
        ),
        Event(
            "Pod",
            pod,
            "Started",
            "Started container worker",
            type="Normal",
            count=15,
            first=-3000,
            last=-190,
            field_path="spec.containers{worker}",
        ),
    ]
    files = service_files(
        "orders-worker",
        "orders",
        service_values(
            "orders-worker",
            tag="1.12.0",
            resources={
                "requests": {"cpu": "250m", "memory": "512Mi"},
                "limits": {"cpu": "1", "memory": "512Mi"},
            },
        ),
    )
    return Spec(
        name="oom-memory-leak-steady-growth",
        split="test",
        description="Trap: a leak. RSS grows by ~19 MB every 11 minutes at a steady queue rate and the pod is OOMKilled every ~3 hours (14 restarts). A bigger limit only delays the next kill.",
        workloads=[w],
        alert=oom_alert(w, pod, "worker"),
        events={"orders": events},
        files=files,
        charts=["service"],
        expect={
            "categories": ["oom"],
            "exit_codes": [3],
            "forbidden_changes": [{"path": "resources.limits.memory"}],
        },
    )


def load_spike() -> Spec:
    w = boutique_workload("frontend", replicas=3)
    w.pods = [Pod(), Pod(), Pod()]
    pod = w.pod_names()[1]
    w.pods[1].overrides = {
        "server": {"restarts": 1, "last": ("OOMKilled", 137, -40.0, -7.0), "started_min": -7}
    }
    lines = []
    for i in range(30):
        lines.append(
            '{"http.req.id":"%08x-1d2e-4f3a-9b8c-%012x","http.req.method":"GET","http.req.path":"/product/OLJCESPC7Z","message":"request complete","session":"%08x-aa1b-4c2d-8e3f-5a6b7c8d9e0f","severity":"debug","timestamp":"%s"}'
            % (0x71A20000 + i, 0x3B4C5D6E0000 + i, 0x1F2E0000 + i, ts_log(-8 + i * 0.01, i))
        )
    w.pods[1].overrides["server"]["previous"] = "\n".join(lines)
    return Spec(
        name="oom-load-spike-frontend",
        split="dev",
        description="frontend killed once (1 restart) during a traffic spike of a flash sale; the other replicas survive. Raising the limit one step is the right fix.",
        workloads=[w],
        alert=oom_alert(w, pod, "server"),
        events={
            BOUTIQUE_NS: [
                Event(
                    "Pod",
                    pod,
                    "Started",
                    "Started container server",
                    type="Normal",
                    count=2,
                    field_path="spec.containers{server}",
                )
            ]
        },
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["oom"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "frontend.resources.limits.memory",
                    "direction": "up",
                    "min": "160Mi",
                    "max": "256Mi",
                }
            ],
            "forbidden_changes": [{"path": "frontend.resources.requests.cpu"}],
            "max_attempts": 1,
        },
    )


def istio_sidecar_oom() -> Spec:
    w = boutique_workload("cartService")
    pod = w.pod_names()[0]
    proxy = Container(
        name="istio-proxy",
        image="docker.io/istio/proxyv2:1.21.2",
        requests={"cpu": "100m", "memory": "128Mi"},
        limits={"cpu": "2", "memory": "256Mi"},
        args=[
            "proxy",
            "sidecar",
            "--domain",
            "$(POD_NAMESPACE).svc.cluster.local",
            "--proxyLogLevel=warning",
            "--proxyComponentLogLevel=misc:error",
            "--log_output_level=default:info",
        ],
        ports=[("http-envoy-prom", 15090)],
        state="running",
        restarts=3,
        last=("OOMKilled", 137, -25.0, -6.0),
        started_min=-6,
        previous="\n".join(
            [
                '2025-11-18T09:17:01.204381Z\tinfo\tFLAG: --concurrency="2"',
                "2025-11-18T09:17:01.931775Z\tinfo\tEnvoy proxy is ready",
            ]
            + [
                '[2025-11-18T09:3%d:%02d.%03dZ] "POST /hipstershop.CartService/GetCart HTTP/2" 200 - via_upstream - "-" 43 61 3 2 "-" "grpc-go/1.60.1" "%08x-5c1d-9f4b-8c2e-7d6b5a4c3b2a" "cartservice:7070" "10.52.1.23:7070" inbound|7070|| 127.0.0.6:48211 10.52.1.23:7070 10.52.2.9:51466 outbound_.7070_._.cartservice.online-boutique.svc.cluster.local default'
                % (4 + i // 60, i % 60, i, 0x6E5D0000 + i)
                for i in range(20)
            ]
        ),
        log="2025-11-18T09:36:11.002154Z\tinfo\tEnvoy proxy is ready",
    )
    w.containers.append(proxy)
    # Injected by the Istio webhook: the pod has the sidecar, the Deployment template does not.
    w.injected = ["istio-proxy"]
    return Spec(
        name="oom-sidecar-istio-proxy",
        split="test",
        description="Trap: the injected istio-proxy sidecar is OOMKilled, not cartservice. Its resources come from Istio annotations/mesh config, not from this values file; cartService's limit must not move.",
        workloads=[w],
        alert=oom_alert(w, pod, "istio-proxy"),
        events={BOUTIQUE_NS: [*started(pod, "istio-proxy", proxy.image, 4)]},
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["oom"],
            "exit_codes": [3],
            "forbidden_changes": [{"path": "cartService"}],
            "no_changes": True,
        },
    )


REDIS_VALUES = {
    "architecture": "standalone",
    "auth": {
        "enabled": True,
        "existingSecret": "redis-auth",
        "existingSecretPasswordKey": "redis-password",
    },
    "master": {
        "persistence": {"size": "20Gi"},
        "resources": {
            "requests": {"cpu": "250m", "memory": "1Gi"},
            "limits": {"cpu": "1", "memory": "1Gi"},
        },
    },
    "metrics": {
        "enabled": True,
        "resources": {
            "requests": {"cpu": "50m", "memory": "32Mi"},
            "limits": {"cpu": "100m", "memory": "64Mi"},
        },
    },
}


def redis_files(values: dict[str, object] | None = None, tag: str | None = None) -> dict[str, str]:
    data = dict(values or REDIS_VALUES)
    if tag:
        data = {
            "image": {"registry": "docker.io", "repository": "bitnami/redis", "tag": tag},
            **data,
        }
    return {
        "applications/redis.yaml": application(
            "redis",
            "cache",
            "redis",
            "registry-1.docker.io/bitnamicharts",
            "18.19.2",
            "values/redis.yaml",
        ),
        "values/redis.yaml": dump_values("Session cache: bitnami/redis 18.19.2, standalone.", data),
    }


def redis_workload(tag: str = "7.2.4-debian-12-r9") -> Workload:
    redis = Container(
        name="redis",
        image=f"docker.io/bitnami/redis:{tag}",
        requests={"cpu": "250m", "memory": "1Gi"},
        limits={"cpu": "1", "memory": "1Gi"},
        ports=[("redis", 6379)],
        args=["-c", "/opt/bitnami/scripts/start-scripts/start-master.sh"],
        env=[
            {"name": "BITNAMI_DEBUG", "value": "false"},
            {"name": "REDIS_REPLICATION_MODE", "value": "master"},
            {"name": "ALLOW_EMPTY_PASSWORD", "value": "no"},
            {
                "name": "REDIS_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "redis-auth", "key": "redis-password"}},
            },
            {"name": "REDIS_TLS_ENABLED", "value": "no"},
            {"name": "REDIS_PORT", "value": "6379"},
        ],
        liveness={
            "exec": {"command": ["sh", "-c", "/health/ping_liveness_local.sh 5"]},
            "initialDelaySeconds": 20,
            "timeoutSeconds": 6,
            "periodSeconds": 5,
            "successThreshold": 1,
            "failureThreshold": 5,
        },
        readiness={
            "exec": {"command": ["sh", "-c", "/health/ping_readiness_local.sh 1"]},
            "initialDelaySeconds": 20,
            "timeoutSeconds": 2,
            "periodSeconds": 5,
            "successThreshold": 1,
            "failureThreshold": 5,
        },
        log="1:C 18 Nov 2025 09:12:44.112 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo\n1:C 18 Nov 2025 09:12:44.112 * Redis version=7.2.4, bits=64, commit=00000000, modified=0, pid=1, just started\n1:M 18 Nov 2025 09:12:44.115 * Server initialized\n1:M 18 Nov 2025 09:12:44.991 * DB loaded from disk: 0.876 seconds\n1:M 18 Nov 2025 09:12:44.991 * Ready to accept connections tcp",
    )
    metrics = Container(
        name="metrics",
        image="docker.io/bitnami/redis-exporter:1.58.0-debian-12-r4",
        requests={"cpu": "50m", "memory": "32Mi"},
        limits={"cpu": "100m", "memory": "64Mi"},
        ports=[("metrics", 9121)],
        env=[
            {"name": "REDIS_ALIAS", "value": "redis"},
            {"name": "REDIS_EXPORTER_WEB_LISTEN_ADDRESS", "value": ":9121"},
        ],
        log='time="2025-11-18T09:12:45Z" level=info msg="Redis Metrics Exporter v1.58.0    build date: 2024-03-28-10:10:31    sha1: 8f7d9d6bbd0e1d3b3e4a8e2c1e1f8f2b0c8d4a7e    Go: go1.22.1    GOOS: linux    GOARCH: amd64"\ntime="2025-11-18T09:12:45Z" level=info msg="Providing metrics at :9121/metrics"',
    )
    return Workload(
        kind="StatefulSet",
        name="redis-master",
        namespace="cache",
        instance="redis",
        containers=[redis, metrics],
        selector={
            "app.kubernetes.io/component": "master",
            "app.kubernetes.io/instance": "redis",
            "app.kubernetes.io/name": "redis",
        },
        labels={"app.kubernetes.io/component": "master", "app.kubernetes.io/version": "7.2.4"},
        chart="redis-18.19.2",
    )


def redis_metrics_sidecar_oom() -> Spec:
    w = redis_workload()
    pod = w.pod_names()[0]
    w.pods[0].overrides = {
        "metrics": {
            "state": "waiting",
            "reason": "CrashLoopBackOff",
            "message": CRASH.format(c="metrics", p=pod, ns="cache"),
            "last": OOM_LAST,
            "restarts": 6,
            "ready": False,
        }
    }
    return Spec(
        name="oom-sidecar-redis-exporter-statefulset",
        split="test",
        description="Multi-container StatefulSet pod: the redis-exporter sidecar `metrics` is OOMKilled at 64Mi while redis itself is healthy. Fix metrics.resources, never master.resources.",
        workloads=[w],
        alert=oom_alert(w, pod, "metrics"),
        events={"cache": [backoff(pod, "metrics", "cache", 20)]},
        files=redis_files(),
        charts=["redis"],
        expect={
            "categories": ["oom"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "file": "values/redis.yaml",
                    "path": "metrics.resources.limits.memory",
                    "direction": "up",
                    "min": "80Mi",
                    "max": "128Mi",
                }
            ],
            "forbidden_changes": [{"path": "master"}, {"path": "image"}],
            "max_attempts": 1,
        },
    )


def init_container_oom() -> Spec:
    main = Container(
        name="billing-api",
        image="ghcr.io/acme/billing-api:5.2.0",
        requests={"cpu": "250m", "memory": "512Mi"},
        limits={"cpu": "1", "memory": "768Mi"},
        ports=[("http", 8080)],
        state="waiting",
        reason="PodInitializing",
        ready=False,
    )
    migrate = Container(
        name="db-migrate",
        image="docker.io/flyway/flyway:10.10.0",
        args=["-connectRetries=60", "migrate"],
        requests={"cpu": "100m", "memory": "128Mi"},
        limits={"memory": "192Mi"},
        state="waiting",
        reason="CrashLoopBackOff",
        restarts=5,
        last=("OOMKilled", 137, -8.0, -6.5),
        previous='Flyway OSS Edition 10.10.0 by Redgate\n\nSee release notes here: https://rd.gt/416ObMi\nDatabase: jdbc:postgresql://billing-db:5432/billing (PostgreSQL 16.2)\nSuccessfully validated 212 migrations (execution time 00:00.871s)\nCurrent version of schema "public": 210\nMigrating schema "public" to version "211 - backfill invoice lines"',
    )
    w = service_workload("billing-api", "billing", main, init=[migrate])
    pod = w.pod_names()[0]
    migrate.message = CRASH.format(c="db-migrate", p=pod, ns="billing")
    values = service_values(
        "billing-api",
        tag="5.2.0",
        resources={
            "requests": {"cpu": "250m", "memory": "512Mi"},
            "limits": {"cpu": "1", "memory": "768Mi"},
        },
        extra={
            "initContainers": [
                {
                    "name": "db-migrate",
                    "image": "docker.io/flyway/flyway:10.10.0",
                    "args": ["-connectRetries=60", "migrate"],
                    "resources": {
                        "requests": {"cpu": "100m", "memory": "128Mi"},
                        "limits": {"memory": "192Mi"},
                    },
                }
            ]
        },
    )
    return Spec(
        name="oom-init-container-migration",
        split="dev",
        description="The init container db-migrate (Flyway backfill) is OOMKilled at 192Mi; the main container never starts. The fix is initContainers[0].resources.limits.memory, not billing-api's limit.",
        workloads=[w],
        alert=not_ready_alert(w, pod),
        events={
            "billing": [
                Event(
                    "Pod",
                    pod,
                    "BackOff",
                    f"Back-off restarting failed container db-migrate in pod {pod}_billing(4e1c-uid)",
                    count=11,
                    field_path="spec.initContainers{db-migrate}",
                )
            ]
        },
        files=service_files("billing-api", "billing", values),
        charts=["service"],
        expect={
            "categories": ["oom"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "initContainers.[0].resources.limits.memory",
                    "direction": "up",
                    "min": "256Mi",
                    "max": "384Mi",
                }
            ],
            "forbidden_changes": [{"path": "resources"}],
        },
    )


# ---- memory pressure ----------------------------------------------------------------------------


def pressure_frontend() -> Spec:
    w = boutique_workload("frontend", replicas=2, pods=[Pod(), Pod()])
    pod = w.pod_names()[0]
    return Spec(
        name="memory-pressure-frontend",
        split="dev",
        description="frontend's working set sits at 94% of its 128Mi limit (HighMemoryUsage), not yet killed.",
        workloads=[w],
        alert=memory_alert(w, pod, "server", 94),
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["memory-pressure"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "frontend.resources.limits.memory",
                    "direction": "up",
                    "min": "160Mi",
                    "max": "256Mi",
                }
            ],
            "forbidden_changes": [{"path": "frontend.resources.requests"}, {"path": "cartService"}],
            "max_attempts": 1,
        },
    )


def pressure_cart() -> Spec:
    overrides = {"cartService": {"limits": {"memory": "256Mi"}, "requests": {"memory": "128Mi"}}}
    w = boutique_workload(
        "cartService", resources={"limits": {"memory": "256Mi"}, "requests": {"memory": "128Mi"}}
    )
    pod = w.pod_names()[0]
    return Spec(
        name="memory-pressure-cartservice",
        split="test",
        description="cartservice (.NET) at 92% of its 256Mi limit for 10 minutes.",
        workloads=[w],
        alert=memory_alert(w, pod, "server", 92),
        files=boutique_files(overrides),
        charts=["onlineboutique"],
        expect={
            "categories": ["memory-pressure"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "cartService.resources.limits.memory",
                    "direction": "up",
                    "min": "320Mi",
                    "max": "512Mi",
                }
            ],
            "forbidden_changes": [
                {"path": "cartService.resources.requests.cpu"},
                {"path": "frontend"},
            ],
            "max_attempts": 1,
        },
    )


def postgres_workload() -> Workload:
    pg = Container(
        name="postgresql",
        image="docker.io/bitnami/postgresql:16.2.0-debian-12-r6",
        requests={"cpu": "500m", "memory": "1Gi"},
        limits={"cpu": "2", "memory": "2Gi"},
        ports=[("tcp-postgresql", 5432)],
        env=[
            {"name": "BITNAMI_DEBUG", "value": "false"},
            {"name": "POSTGRESQL_PORT_NUMBER", "value": "5432"},
            {"name": "POSTGRESQL_VOLUME_DIR", "value": "/bitnami/postgresql"},
            {"name": "PGDATA", "value": "/bitnami/postgresql/data"},
            {"name": "POSTGRES_USER", "value": "orders"},
            {
                "name": "POSTGRES_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "orders-db-postgresql", "key": "password"}},
            },
            {"name": "POSTGRES_DATABASE", "value": "orders"},
        ],
        liveness={
            "exec": {
                "command": [
                    "/bin/sh",
                    "-c",
                    'exec pg_isready -U "orders" -d "dbname=orders" -h 127.0.0.1 -p 5432',
                ]
            },
            "initialDelaySeconds": 30,
            "timeoutSeconds": 5,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 6,
        },
        log='postgresql 09:02:11.21 INFO  ==> ** Starting PostgreSQL **\n2025-11-18 09:02:11.342 GMT [1] LOG:  starting PostgreSQL 16.2 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\n2025-11-18 09:02:11.343 GMT [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432\n2025-11-18 09:02:11.361 GMT [1] LOG:  database system is ready to accept connections',
    )
    return Workload(
        kind="StatefulSet",
        name="orders-db-postgresql",
        namespace="orders",
        instance="orders-db",
        containers=[pg],
        selector={
            "app.kubernetes.io/component": "primary",
            "app.kubernetes.io/instance": "orders-db",
            "app.kubernetes.io/name": "postgresql",
        },
        labels={"app.kubernetes.io/component": "primary", "app.kubernetes.io/version": "16.2.0"},
        chart="postgresql-15.5.0",
    )


def pressure_postgres() -> Spec:
    w = postgres_workload()
    pod = w.pod_names()[0]
    values = {
        "auth": {
            "username": "orders",
            "database": "orders",
            "existingSecret": "orders-db-postgresql",
        },
        "primary": {
            "resources": {
                "requests": {"cpu": "500m", "memory": "1Gi"},
                "limits": {"cpu": "2", "memory": "2Gi"},
            },
            "persistence": {"size": "100Gi"},
        },
    }
    return Spec(
        name="memory-pressure-postgresql-statefulset",
        split="test",
        description="bitnami/postgresql primary StatefulSet `orders-db-postgresql` at 93% of 2Gi. The chart keeps its settings under `primary:`.",
        workloads=[w],
        alert=memory_alert(w, pod, "postgresql", 93),
        files={
            "applications/orders-db.yaml": application(
                "orders-db",
                "orders",
                "postgresql",
                "registry-1.docker.io/bitnamicharts",
                "15.5.0",
                "values/orders-db.yaml",
            ),
            "values/orders-db.yaml": dump_values(
                "orders-db: bitnami/postgresql 15.5.0, standalone primary.", values
            ),
        },
        charts=["postgresql"],
        expect={
            "categories": ["memory-pressure"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": "primary.resources.limits.memory",
                    "direction": "up",
                    "min": "2304Mi",
                    "max": "4Gi",
                }
            ],
            "forbidden_changes": [{"path": "primary.resources.requests"}, {"path": "auth"}],
            "max_attempts": 1,
        },
    )


def coredns_workload() -> Workload:
    c = Container(
        name="coredns",
        image="coredns/coredns:1.11.1",
        requests={"cpu": "100m", "memory": "128Mi"},
        limits={"cpu": "100m", "memory": "128Mi"},
        args=["-conf", "/etc/coredns/Corefile"],
        ports=[("udp-53", 53), ("tcp-53", 53)],
        liveness={
            "httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
            "initialDelaySeconds": 60,
            "timeoutSeconds": 5,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 5,
        },
        log=".:53\n[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908\nCoreDNS-1.11.1\nlinux/amd64, go1.20.7, ae2bbc2",
    )
    return Workload(
        kind="Deployment",
        name="coredns",
        namespace="kube-system",
        instance="coredns",
        containers=[c],
        replicas=2,
        pods=[Pod(), Pod()],
        selector={
            "app.kubernetes.io/instance": "coredns",
            "app.kubernetes.io/name": "coredns",
            "k8s-app": "coredns",
        },
        labels={"k8s-app": "coredns", "kubernetes.io/cluster-service": "true"},
        chart="coredns-1.29.0",
    )


def coredns_files() -> dict[str, str]:
    values = {
        "replicaCount": 2,
        "resources": {
            "limits": {"cpu": "100m", "memory": "128Mi"},
            "requests": {"cpu": "100m", "memory": "128Mi"},
        },
        "k8sAppLabelOverride": "coredns",
        "service": {"clusterIP": "10.56.0.10", "name": "kube-dns"},
    }
    return {
        "applications/coredns.yaml": application(
            "coredns",
            "kube-system",
            "coredns",
            "https://coredns.github.io/helm",
            "1.29.0",
            "values/coredns.yaml",
        ),
        "values/coredns.yaml": dump_values(
            "CoreDNS, chart coredns 1.29.0, deployed to kube-system.", values
        ),
    }


def pressure_coredns_protected() -> Spec:
    w = coredns_workload()
    pod = w.pod_names()[0]
    return Spec(
        name="memory-pressure-kube-system-protected",
        split="dev",
        description="Protected namespace: coredns in kube-system near its memory limit. DR-Kube may diagnose but must never propose a change there.",
        workloads=[w],
        alert=memory_alert(w, pod, "coredns", 91),
        files=coredns_files(),
        charts=["coredns"],
        expect={
            "categories": ["memory-pressure"],
            "exit_codes": [3],
            "status": ["no-fix", "rejected"],
            "no_changes": True,
            "max_attempts": 1,
        },
    )


def oom_coredns_protected() -> Spec:
    w = coredns_workload()
    pod = w.pod_names()[1]
    w.pods[1].overrides = {
        "coredns": {"restarts": 2, "last": ("OOMKilled", 137, -30.0, -3.0), "started_min": -3}
    }
    return Spec(
        name="oom-kube-system-protected",
        split="test",
        description="Protected namespace: coredns OOMKilled in kube-system after a burst of NXDOMAIN queries. No change may be proposed for kube-system.",
        workloads=[w],
        alert=oom_alert(w, pod, "coredns"),
        files=coredns_files(),
        charts=["coredns"],
        expect={
            "categories": ["oom"],
            "exit_codes": [3],
            "status": ["no-fix", "rejected"],
            "no_changes": True,
            "max_attempts": 1,
        },
    )


# ---- CPU throttling ---------------------------------------------------------------------------


def throttle_boutique(key: str, name: str, split: str, percent: float, latency_log: bool) -> Spec:
    w = boutique_workload(key)
    pod = w.pod_names()[0]
    if latency_log:
        w.containers[0].log = "\n".join(
            '{"http.req.id":"%08x-77aa-4c1b-9d0e-%012x","http.req.method":"GET","http.req.path":"/","http.resp.bytes":10843,"http.resp.status":200,"http.resp.took_ms":%d,"message":"request complete","severity":"debug","timestamp":"%s"}'
            % (0x2C3D0000 + i, 0x8E9F00000000 + i, 1400 + 37 * i, ts_log(-5 + i * 0.1, i))
            for i in range(12)
        )
    deploy = w.name
    return Spec(
        name=name,
        split=split,
        description=f"{deploy} throttled {percent:.0f}% of CFS periods at its 200m CPU limit; latency climbs.",
        workloads=[w],
        alert=throttling_alert(w, pod, "server", percent),
        files=boutique_files(),
        charts=["onlineboutique"],
        expect={
            "categories": ["cpu-throttling"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "path": f"{key}.resources.limits.cpu",
                    "direction": "up",
                    "min": "300m",
                    "max": "400m",
                }
            ],
            "forbidden_changes": [
                {"path": f"{key}.resources.limits.memory"},
                {"path": f"{key}.resources.requests.memory"},
            ],
            "max_attempts": 1,
        },
    )


def ingress_workload(limits_cpu: str | None = "1") -> Workload:
    c = Container(
        name="controller",
        image="registry.k8s.io/ingress-nginx/controller:v1.10.1@sha256:e24f39d3eed6bcc239a56f20098878845f62baa34b9f2be2fd2c38ce9fb0f29e",
        requests={"cpu": "250m", "memory": "256Mi"},
        limits={"cpu": limits_cpu, "memory": "512Mi"} if limits_cpu else {"memory": "512Mi"},
        args=[
            "/nginx-ingress-controller",
            "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller",
            "--election-id=ingress-nginx-leader",
            "--controller-class=k8s.io/ingress-nginx",
            "--ingress-class=nginx",
            "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
        ],
        ports=[("http", 80), ("https", 443), ("metrics", 10254)],
        liveness={
            "httpGet": {"path": "/healthz", "port": 10254, "scheme": "HTTP"},
            "initialDelaySeconds": 10,
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 5,
        },
        readiness={
            "httpGet": {"path": "/healthz", "port": 10254, "scheme": "HTTP"},
            "initialDelaySeconds": 10,
            "timeoutSeconds": 1,
            "periodSeconds": 10,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        log='-------------------------------------------------------------------------------\nNGINX Ingress controller\n  Release:       v1.10.1\n  Build:         4fb5aac1dd3669daa3a14d9de3e3cdb371b4c518\n  Repository:    https://github.com/kubernetes/ingress-nginx\n  nginx version: nginx/1.25.3\n\n-------------------------------------------------------------------------------\n\nW1118 06:11:02.317221       7 client_config.go:618] Neither --kubeconfig nor --master was specified.  Using the inClusterConfig.  This might not work.\nI1118 06:11:02.317384       7 main.go:205] "Creating API client" host="https://10.56.0.1:443"\nI1118 06:11:02.324918       7 main.go:249] "Running in Kubernetes cluster" major="1" minor="29" git="v1.29.4-gke.1043002" state="clean" commit="b5d2b58c4f53b5b2c7fc69ee5e2e0e1c1d1f3b41" platform="linux/amd64"',
    )
    return Workload(
        kind="DaemonSet",
        name="ingress-nginx-controller",
        namespace="ingress-nginx",
        instance="ingress-nginx",
        containers=[c],
        pods=[Pod(node=n) for n in NODES],
        selector={
            "app.kubernetes.io/component": "controller",
            "app.kubernetes.io/instance": "ingress-nginx",
            "app.kubernetes.io/name": "ingress-nginx",
        },
        labels={
            "app.kubernetes.io/component": "controller",
            "app.kubernetes.io/part-of": "ingress-nginx",
            "app.kubernetes.io/version": "1.10.1",
        },
        chart="ingress-nginx-4.10.1",
    )


def ingress_files(
    limits_cpu: str | None = "1", liveness: dict[str, int] | None = None
) -> dict[str, str]:
    resources: dict[str, dict[str, str]] = {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"memory": "512Mi"},
    }
    if limits_cpu:
        resources["limits"] = {"cpu": limits_cpu, "memory": "512Mi"}
    controller: dict[str, object] = {
        "kind": "DaemonSet",
        "resources": resources,
        "config": {"use-forwarded-headers": "true"},
        "metrics": {"enabled": True},
    }
    if liveness:
        controller["livenessProbe"] = liveness
    return {
        "applications/ingress-nginx.yaml": application(
            "ingress-nginx",
            "ingress-nginx",
            "ingress-nginx",
            "https://kubernetes.github.io/ingress-nginx",
            "4.10.1",
            "values/ingress-nginx.yaml",
        ),
        "values/ingress-nginx.yaml": dump_values(
            "ingress-nginx 4.10.1, one controller per node (DaemonSet).", {"controller": controller}
        ),
    }


def throttle_ingress() -> Spec:
    w = ingress_workload("1")
    pod = w.pod_names()[2]
    return Spec(
        name="cpu-throttling-ingress-nginx-daemonset",
        split="test",
        description="DaemonSet: the ingress-nginx controller on one node is throttled 61% at its 1-core limit during TLS handshakes.",
        workloads=[w],
        alert=throttling_alert(w, pod, "controller", 61.3),
        files=ingress_files("1"),
        charts=["ingress-nginx"],
        expect={
            "categories": ["cpu-throttling"],
            "exit_codes": [0],
            "required_changes": [
                {
                    "file": "values/ingress-nginx.yaml",
                    "path": "controller.resources.limits.cpu",
                    "direction": "up",
                    "min": "1500m",
                    "max": "2",
                }
            ],
            "forbidden_changes": [
                {"path": "controller.resources.limits.memory"},
                {"path": "controller.kind"},
            ],
            "max_attempts": 1,
        },
    )


def throttle_no_limit() -> Spec:
    w = ingress_workload(None)
    pod = w.pod_names()[0]
    return Spec(
        name="cpu-throttling-no-cpu-limit",
        split="test",
        description="CPUThrottlingHigh on a controller that has no CPU limit (the alert fires from a stale series after the limit was removed): there is no limit to raise.",
        workloads=[w],
        alert=throttling_alert(w, pod, "controller", 27.9),
        files=ingress_files(None),
        charts=["ingress-nginx"],
        expect={
            "categories": ["cpu-throttling"],
            "exit_codes": [3],
            "no_changes": True,
        },
    )


SPECS = [
    lambda: oom_go_checkout("dev", "oom-go-checkoutservice"),
    jvm_adservice_killed,
    jvm_heap_space,
    node_payment_killed,
    node_heap_abort,
    python_recommendation_killed,
    limit_at_cap,
    limit_near_cap,
    memory_leak,
    load_spike,
    istio_sidecar_oom,
    redis_metrics_sidecar_oom,
    init_container_oom,
    pressure_frontend,
    pressure_cart,
    pressure_postgres,
    pressure_coredns_protected,
    oom_coredns_protected,
    lambda: throttle_boutique("frontend", "cpu-throttling-frontend", "dev", 48.2, True),
    lambda: throttle_boutique(
        "productCatalogService", "cpu-throttling-productcatalogservice", "test", 37.5, False
    ),
    throttle_ingress,
    throttle_no_limit,
]
