{{- define "redis.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* A named preset's requests and limits, as Bitnami's common library hands them out. */}}
{{- define "redis.preset" -}}
{{- $presets := dict "nano" (dict "requests" (dict "cpu" "100m" "memory" "128Mi") "limits" (dict "cpu" "150m" "memory" "192Mi")) "small" (dict "requests" (dict "cpu" "500m" "memory" "512Mi") "limits" (dict "cpu" "750m" "memory" "768Mi")) -}}
{{- toYaml (index $presets .) -}}
{{- end -}}

{{/* resources when set, else the preset (unless it is "none"). */}}
{{- define "redis.resources" -}}
{{- if .resources -}}
{{- toYaml .resources -}}
{{- else if ne .resourcesPreset "none" -}}
{{- include "redis.preset" .resourcesPreset -}}
{{- end -}}
{{- end -}}
