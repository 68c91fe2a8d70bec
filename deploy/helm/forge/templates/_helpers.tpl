{{/* The release's name prefix of every object (at most 40 characters, so suffixes fit 63). */}}
{{- define "forge.fullname" -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "forge.labels" -}}
app.kubernetes.io/name: forge
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: forge
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version }}
forge.dev/brain: {{ .ctx.Values.brain }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* The labels a Service, PDB or NetworkPolicy selects one component's pods by. */}}
{{- define "forge.selectorLabels" -}}
app.kubernetes.io/name: forge
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* The image of every Forge container. */}}
{{- define "forge.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* One service's settings: serviceDefaults overridden by its entry. Call with (dict "ctx" $ "spec" $spec). */}}
{{- define "forge.service" -}}
{{- toYaml (mergeOverwrite (deepCopy .ctx.Values.serviceDefaults) (deepCopy .spec)) -}}
{{- end -}}

{{/* The pod's grace period: the service's own stop deadline plus 10 s for the kubelet's SIGKILL margin. */}}
{{- define "forge.gracePeriodSeconds" -}}
{{- add (div (int .shutdownGraceMs) 1000) 10 -}}
{{- end -}}

{{/* NATS server URL for services (without credentials). */}}
{{- define "forge.natsServer" -}}
{{- if .Values.nats.bundled.enabled -}}
nats://{{ include "forge.fullname" . }}-nats.{{ .Release.Namespace }}.svc.cluster.local:4222
{{- else -}}
{{ .Values.nats.url }}
{{- end -}}
{{- end -}}

{{/* The NATS user of a service. */}}
{{- define "forge.natsUser" -}}
forge-{{ . }}
{{- end -}}

{{/* The env variable holding a service's NATS password inside the NATS pod ($NATS_PW_<NAME>). */}}
{{- define "forge.natsPasswordVar" -}}
NATS_PW_{{ . | upper | replace "-" "_" }}
{{- end -}}

{{/* OTLP endpoint: the configured collector, else the bundled Jaeger, else none. */}}
{{- define "forge.otlpEndpoint" -}}
{{- if .Values.telemetry.otlpEndpoint -}}
{{ .Values.telemetry.otlpEndpoint }}
{{- else if .Values.telemetry.jaeger.enabled -}}
http://{{ include "forge.fullname" . }}-jaeger.{{ .Release.Namespace }}.svc.cluster.local:4318
{{- end -}}
{{- end -}}

{{/* The environment every Forge container shares: brain, NATS, Postgres, telemetry. Call with (dict "ctx" $ "name" $name). */}}
{{- define "forge.commonEnv" -}}
{{- $ := .ctx -}}
- name: FORGE_BRAIN
  value: {{ $.Values.brain | quote }}
- name: FORGE_ENVIRONMENT
  value: {{ $.Values.environment | quote }}
- name: FORGE_LOG_LEVEL
  value: {{ $.Values.logLevel | quote }}
{{- if $.Values.nats.auth.enabled }}
- name: NATS_USER
  value: {{ include "forge.natsUser" .name | quote }}
- name: NATS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "nats.auth.existingSecret is required when nats.auth.enabled" $.Values.nats.auth.existingSecret }}
      key: {{ .name }}
- name: NATS_URL
  value: {{ include "forge.natsServer" $ | replace "nats://" "nats://$(NATS_USER):$(NATS_PASSWORD)@" | quote }}
{{- else }}
- name: NATS_URL
  value: {{ include "forge.natsServer" $ | quote }}
{{- end }}
{{- if $.Values.postgres.bundled.enabled }}
- name: FORGE_PG_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "postgres.bundled.existingSecret is required when postgres.bundled.enabled" $.Values.postgres.bundled.existingSecret }}
      key: password
- name: DATABASE_URL
  value: {{ printf "postgres://forge:$(FORGE_PG_PASSWORD)@%s-postgres.%s.svc.cluster.local:5432/forge" (include "forge.fullname" $) $.Release.Namespace | quote }}
{{- else }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "postgres.existingSecret (or postgres.bundled.enabled) is required" $.Values.postgres.existingSecret }}
      key: {{ $.Values.postgres.secretKey }}
{{- end }}
{{- with include "forge.otlpEndpoint" $ }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: {{ $.Values.telemetry.protocol | quote }}
- name: OTEL_METRIC_EXPORT_INTERVAL
  value: {{ $.Values.telemetry.metricExportIntervalMs | quote }}
{{- end }}
{{- end -}}

{{/* The gateway's public URL: the ingress's when it has one, else its Service's public port. */}}
{{- define "forge.gatewayPublicUrl" -}}
{{- $svc := .svc -}}
{{- if and $svc.ingress $svc.ingress.enabled -}}
{{ printf "%s://%s" (ternary "https" "http" (gt (len $svc.ingress.tls) 0)) $svc.ingress.host }}
{{- else -}}
{{ printf "http://%s.%s.svc.cluster.local:%v" .fullname .ctx.Release.Namespace $svc.publicPort }}
{{- end -}}
{{- end -}}

{{/* FORGE_AGENT_URLS of the gateway: `<agent>=<url>` for every enabled agent of the release. */}}
{{- define "forge.agentUrls" -}}
{{- $urls := list -}}
{{- range $name, $spec := .Values.services -}}
{{- $svc := include "forge.service" (dict "ctx" $ "spec" $spec) | fromYaml -}}
{{- if and $svc.enabled (eq $svc.kind "agent") -}}
{{- $urls = append $urls (printf "%s=http://%s-%s.%s.svc.cluster.local:%v" $name (include "forge.fullname" $) $name $.Release.Namespace $svc.port) -}}
{{- end -}}
{{- end -}}
{{- join "," $urls -}}
{{- end -}}
