{{- define "ingress-nginx.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* A component's name: <fullname>-<component name> (controller, defaultbackend). */}}
{{- define "ingress-nginx.component" -}}
{{- printf "%s-%s" (include "ingress-nginx.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
