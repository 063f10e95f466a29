"""Chart snapshots (Chart.yaml + the default values.yaml layout) the corpus checks keys against.

Trimmed to the keys DR-Kube reads, in each upstream chart's own layout and defaults.
"""

from __future__ import annotations

CHARTS: dict[str, tuple[str, str]] = {}

CHARTS["onlineboutique"] = (
    """apiVersion: v2
name: onlineboutique
description: A Helm chart for Kubernetes for Online Boutique
type: application
version: 0.10.2
appVersion: v0.10.2
""",
    """images:
  repository: us-central1-docker.pkg.dev/google-samples/microservices-demo
  # Overrides the image tag whose default is the chart appVersion.
  tag: ""

serviceAccounts:
  create: true
  annotations: {}
  annotationsOnlyForCartservice: false

networkPolicies:
  create: false

sidecars:
  create: false

seccompProfile:
  enable: false
  type: RuntimeDefault

securityContext:
  enable: true

adService:
  create: true
  name: adservice
  resources:
    requests:
      cpu: 200m
      memory: 180Mi
    limits:
      cpu: 300m
      memory: 300Mi

cartService:
  create: true
  name: cartservice
  resources:
    requests:
      cpu: 200m
      memory: 64Mi
    limits:
      cpu: 300m
      memory: 128Mi

checkoutService:
  create: true
  name: checkoutservice
  resources:
    requests:
      cpu: 100m
      memory: 64Mi
    limits:
      cpu: 200m
      memory: 128Mi

currencyService:
  create: true
  name: currencyservice
  resources:
    requests:
      cpu: 100m
      memory: 64Mi
    limits:
      cpu: 200m
      memory: 128Mi

emailService:
  create: true
  name: emailservice
  resources:
    requests:
      cpu: 100m
      memory: 64Mi
    limits:
      cpu: 200m
      memory: 128Mi

frontend:
  create: true
  name: frontend
  externalService: true
  cymbalBranding: false
  platform: local
  singleSharedSession: false
  virtualService:
    create: false
  resources:
    requests:
      cpu: 100m
      memory: 64Mi
    limits:
      cpu: 200m
      memory: 128Mi

loadGenerator:
  create: true
  name: loadgenerator
  checkFrontendInitContainer: true
  resources:
    requests:
      cpu: 300m
      memory: 256Mi
    limits:
      cpu: 500m
      memory: 512Mi

paymentService:
  create: true
  name: paymentservice
  resources:
    requests:
      cpu: 100m
      memory: 64Mi
    limits:
      cpu: 200m
      memory: 128Mi

productCatalogService:
  create: true
  name: productcatalogservice
  extraLatency: ""
  resources:
    requests:
      cpu: 100m
      memory: 64Mi
    limits:
      cpu: 200m
      memory: 128Mi

recommendationService:
  create: true
  name: recommendationservice
  resources:
    requests:
      cpu: 100m
      memory: 220Mi
    limits:
      cpu: 200m
      memory: 450Mi

shippingService:
  create: true
  name: shippingservice
  resources:
    requests:
      cpu: 100m
      memory: 64Mi
    limits:
      cpu: 200m
      memory: 128Mi

cartDatabase:
  type: redis
  connectionString: "redis-cart:6379"
  inClusterRedis:
    create: true
    name: redis-cart
    publicRepository: true
""",
)

# The chart `helm create` writes, as most in-house services use it.
CHARTS["service"] = (
    """apiVersion: v2
name: service
description: Acme's standard chart for a stateless HTTP service
type: application
version: 1.4.0
appVersion: "1.0.0"
""",
    """replicaCount: 1

image:
  repository: nginx
  pullPolicy: IfNotPresent
  # Overrides the image tag whose default is the chart appVersion.
  tag: ""

imagePullSecrets: []
nameOverride: ""
fullnameOverride: ""

serviceAccount:
  create: true
  automount: true
  annotations: {}
  name: ""

podAnnotations: {}
podLabels: {}

podSecurityContext: {}
securityContext: {}

service:
  type: ClusterIP
  port: 80

ingress:
  enabled: false
  className: ""
  annotations: {}
  hosts:
    - host: chart-example.local
      paths:
        - path: /
          pathType: ImplementationSpecific
  tls: []

resources: {}
  # limits:
  #   cpu: 100m
  #   memory: 128Mi
  # requests:
  #   cpu: 100m
  #   memory: 128Mi

livenessProbe:
  httpGet:
    path: /
    port: http
readinessProbe:
  httpGet:
    path: /
    port: http

autoscaling:
  enabled: false
  minReplicas: 1
  maxReplicas: 100
  targetCPUUtilizationPercentage: 80

env: []
initContainers: []

volumes: []
volumeMounts: []

nodeSelector: {}
tolerations: []
affinity: {}
""",
)

CHARTS["redis"] = (
    """annotations:
  category: Database
  licenses: Apache-2.0
apiVersion: v2
appVersion: 7.2.4
description: Redis(R) is an open source, advanced key-value store.
name: redis
version: 18.19.2
""",
    """global:
  imageRegistry: ""
  storageClass: ""
image:
  registry: docker.io
  repository: bitnami/redis
  tag: 7.2.4-debian-12-r9
  digest: ""
  pullPolicy: IfNotPresent
architecture: replication
auth:
  enabled: true
  sentinel: true
  password: ""
  existingSecret: ""
master:
  count: 1
  configuration: ""
  containerPorts:
    redis: 6379
  startupProbe:
    enabled: false
    initialDelaySeconds: 20
    periodSeconds: 5
    timeoutSeconds: 5
    successThreshold: 1
    failureThreshold: 5
  livenessProbe:
    enabled: true
    initialDelaySeconds: 20
    periodSeconds: 5
    timeoutSeconds: 5
    successThreshold: 1
    failureThreshold: 5
  readinessProbe:
    enabled: true
    initialDelaySeconds: 20
    periodSeconds: 5
    timeoutSeconds: 1
    successThreshold: 1
    failureThreshold: 5
  resourcesPreset: "none"
  resources: {}
  persistence:
    enabled: true
    size: 8Gi
replica:
  replicaCount: 3
  livenessProbe:
    enabled: true
    initialDelaySeconds: 20
    periodSeconds: 5
    timeoutSeconds: 5
    successThreshold: 1
    failureThreshold: 5
  resourcesPreset: "none"
  resources: {}
metrics:
  enabled: false
  image:
    registry: docker.io
    repository: bitnami/redis-exporter
    tag: 1.58.0-debian-12-r4
  resourcesPreset: "none"
  resources: {}
""",
)

CHARTS["postgresql"] = (
    """annotations:
  category: Database
  licenses: Apache-2.0
apiVersion: v2
appVersion: 16.2.0
description: PostgreSQL (Postgres) is an open source object-relational database.
name: postgresql
version: 15.5.0
""",
    """global:
  imageRegistry: ""
  postgresql:
    auth:
      postgresPassword: ""
      username: ""
      password: ""
      database: ""
image:
  registry: docker.io
  repository: bitnami/postgresql
  tag: 16.2.0-debian-12-r6
  digest: ""
  pullPolicy: IfNotPresent
auth:
  enablePostgresUser: true
  postgresPassword: ""
  username: ""
  password: ""
  database: ""
  existingSecret: ""
architecture: standalone
primary:
  name: primary
  configuration: ""
  extendedConfiguration: ""
  livenessProbe:
    enabled: true
    initialDelaySeconds: 30
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 6
    successThreshold: 1
  readinessProbe:
    enabled: true
    initialDelaySeconds: 5
    periodSeconds: 10
    timeoutSeconds: 5
    failureThreshold: 6
    successThreshold: 1
  startupProbe:
    enabled: false
    initialDelaySeconds: 30
    periodSeconds: 10
    timeoutSeconds: 1
    failureThreshold: 15
    successThreshold: 1
  resourcesPreset: "nano"
  resources: {}
  persistence:
    enabled: true
    size: 8Gi
readReplicas:
  replicaCount: 1
  resourcesPreset: "nano"
  resources: {}
metrics:
  enabled: false
  resourcesPreset: "nano"
  resources: {}
""",
)

CHARTS["ingress-nginx"] = (
    """apiVersion: v2
appVersion: 1.10.1
description: Ingress controller for Kubernetes using NGINX as a reverse proxy and load balancer
name: ingress-nginx
version: 4.10.1
""",
    """controller:
  name: controller
  image:
    chroot: false
    registry: registry.k8s.io
    image: ingress-nginx/controller
    tag: "v1.10.1"
    digest: sha256:e24f39d3eed6bcc239a56f20098878845f62baa34b9f2be2fd2c38ce9fb0f29e
    pullPolicy: IfNotPresent
  containerPort:
    http: 80
    https: 443
  config: {}
  kind: Deployment
  hostNetwork: false
  replicaCount: 1
  minAvailable: 1
  resources:
    requests:
      cpu: 100m
      memory: 90Mi
  livenessProbe:
    httpGet:
      path: "/healthz"
      port: 10254
      scheme: HTTP
    initialDelaySeconds: 10
    periodSeconds: 10
    timeoutSeconds: 1
    successThreshold: 1
    failureThreshold: 5
  readinessProbe:
    httpGet:
      path: "/healthz"
      port: 10254
      scheme: HTTP
    initialDelaySeconds: 10
    periodSeconds: 10
    timeoutSeconds: 1
    successThreshold: 1
    failureThreshold: 3
  autoscaling:
    enabled: false
    minReplicas: 1
    maxReplicas: 11
    targetCPUUtilizationPercentage: 50
    targetMemoryUtilizationPercentage: 50
defaultBackend:
  enabled: false
""",
)

CHARTS["fluent-bit"] = (
    """apiVersion: v1
name: fluent-bit
description: Fast and lightweight log processor and forwarder or Linux, OSX and BSD family operating systems.
version: 0.46.7
appVersion: 3.0.4
""",
    """kind: DaemonSet
replicaCount: 1
image:
  repository: cr.fluentbit.io/fluent/fluent-bit
  # Overrides the image tag whose default is {{ .Chart.AppVersion }}
  tag:
  digest:
  pullPolicy: IfNotPresent
testFramework:
  enabled: true
serviceAccount:
  create: true
rbac:
  create: true
livenessProbe:
  httpGet:
    path: /
    port: http
readinessProbe:
  httpGet:
    path: /api/v1/health
    port: http
resources: {}
#   limits:
#     cpu: 100m
#     memory: 128Mi
#   requests:
#     cpu: 100m
#     memory: 128Mi
tolerations: []
env: []
config:
  service: |
    [SERVICE]
        Daemon Off
        Flush 1
        Log_Level info
        HTTP_Server On
        HTTP_Listen 0.0.0.0
        HTTP_Port 2020
        Health_Check On
""",
)

CHARTS["coredns"] = (
    """apiVersion: v2
name: coredns
version: 1.29.0
appVersion: 1.11.1
description: CoreDNS is a DNS server that chains plugins and provides Kubernetes DNS Services
""",
    """image:
  repository: coredns/coredns
  tag: ""
  pullPolicy: IfNotPresent
replicaCount: 1
resources:
  limits:
    cpu: 100m
    memory: 128Mi
  requests:
    cpu: 100m
    memory: 128Mi
rollingUpdate:
  maxUnavailable: 1
  maxSurge: 25%
terminationGracePeriodSeconds: 30
serviceType: "ClusterIP"
livenessProbe:
  enabled: true
  initialDelaySeconds: 60
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 5
  successThreshold: 1
readinessProbe:
  enabled: true
  initialDelaySeconds: 30
  periodSeconds: 10
  timeoutSeconds: 5
  failureThreshold: 5
  successThreshold: 1
autoscaler:
  enabled: false
""",
)

CHARTS["metrics-server"] = (
    """apiVersion: v2
name: metrics-server
version: 3.12.1
appVersion: 0.7.1
description: Metrics Server is a scalable, efficient source of container resource metrics.
""",
    """image:
  repository: registry.k8s.io/metrics-server/metrics-server
  # Overrides the image tag whose default is v{{ .Chart.AppVersion }}
  tag: ""
  pullPolicy: IfNotPresent
replicas: 1
defaultArgs:
  - --cert-dir=/tmp
  - --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname
  - --kubelet-use-node-status-port
  - --metric-resolution=15s
args: []
livenessProbe:
  httpGet:
    path: /livez
    port: https
    scheme: HTTPS
  initialDelaySeconds: 0
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet:
    path: /readyz
    port: https
    scheme: HTTPS
  initialDelaySeconds: 20
  periodSeconds: 10
  failureThreshold: 3
resources:
  requests:
    cpu: 100m
    memory: 200Mi
""",
)
