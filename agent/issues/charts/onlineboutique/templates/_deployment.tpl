{{/*
One Online Boutique service: a Deployment whose container `server` reads the service's own block
(`.Values.cartService.resources`...) and a Service. Probes are part of the template, as upstream.
Call with (dict "root" $ "block" .Values.cartService "port" 7070 "delay" 15).
*/}}
{{- define "onlineboutique.deployment" -}}
{{- $root := .root -}}
{{- $block := .block -}}
{{- if $block.create }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $block.name }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    app: {{ $block.name }}
spec:
  selector:
    matchLabels:
      app: {{ $block.name }}
  template:
    metadata:
      labels:
        app: {{ $block.name }}
    spec:
      {{- if $root.Values.serviceAccounts.create }}
      serviceAccountName: {{ $block.name }}
      {{- else }}
      serviceAccountName: default
      {{- end }}
      {{- if $root.Values.securityContext.enable }}
      securityContext:
        fsGroup: 1000
        runAsGroup: 1000
        runAsNonRoot: true
        runAsUser: 1000
        {{- if $root.Values.seccompProfile.enable }}
        seccompProfile:
          type: {{ $root.Values.seccompProfile.type }}
        {{- end }}
      {{- end }}
      containers:
        - name: server
          image: {{ $root.Values.images.repository }}/{{ $block.name }}:{{ $root.Values.images.tag | default $root.Chart.AppVersion }}
          ports:
            - containerPort: {{ .port }}
          env:
            - name: PORT
              value: {{ .port | quote }}
          readinessProbe:
            {{- if .delay }}
            initialDelaySeconds: {{ .delay }}
            {{- end }}
            grpc:
              port: {{ .port }}
          livenessProbe:
            {{- if .delay }}
            initialDelaySeconds: {{ .delay }}
            {{- end }}
            periodSeconds: 10
            grpc:
              port: {{ .port }}
          resources:
            {{- toYaml $block.resources | nindent 12 }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $block.name }}
  namespace: {{ $root.Release.Namespace }}
spec:
  type: ClusterIP
  selector:
    app: {{ $block.name }}
  ports:
    - name: grpc
      port: {{ .port }}
      targetPort: {{ .port }}
{{- end }}
{{- end -}}
