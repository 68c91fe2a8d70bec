{{/* Egress to Postgres: the bundled pods, or the external CIDRs. */}}
{{- define "forge.egressToPostgres" -}}
{{- if .Values.postgres.bundled.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "forge.selectorLabels" (dict "ctx" . "component" "postgres") | nindent 10 }}
  ports:
    - { port: 5432, protocol: TCP }
{{- else if .Values.networkPolicy.externalPostgresCidrs }}
- to:
    {{- range .Values.networkPolicy.externalPostgresCidrs }}
    - ipBlock: { cidr: {{ . | quote }} }
    {{- end }}
  ports:
    - { port: 5432, protocol: TCP }
{{- else }}
# Postgres elsewhere (set networkPolicy.externalPostgresCidrs to narrow it): its port only.
- ports:
    - { port: 5432, protocol: TCP }
{{- end }}
{{- end -}}

{{/* Egress every service needs: NATS, Postgres and the OTLP collector. */}}
{{- define "forge.egressToDependencies" -}}
{{- if .Values.nats.bundled.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "forge.selectorLabels" (dict "ctx" . "component" "nats") | nindent 10 }}
  ports:
    - { port: 4222, protocol: TCP }
{{- else if .Values.networkPolicy.externalNatsCidrs }}
- to:
    {{- range .Values.networkPolicy.externalNatsCidrs }}
    - ipBlock: { cidr: {{ . | quote }} }
    {{- end }}
  ports:
    - { port: 4222, protocol: TCP }
{{- else }}
# NATS elsewhere (set networkPolicy.externalNatsCidrs to narrow it): its client port only.
- ports:
    - { port: 4222, protocol: TCP }
{{- end }}
{{- include "forge.egressToPostgres" . }}
{{- if .Values.telemetry.jaeger.enabled }}
- to:
    - podSelector:
        matchLabels:
          {{- include "forge.selectorLabels" (dict "ctx" . "component" "jaeger") | nindent 10 }}
  ports:
    - { port: 4318, protocol: TCP }
    - { port: 4317, protocol: TCP }
{{- else if .Values.telemetry.otlpEndpoint }}
# The collector: its OTLP ports.
- ports:
    - { port: 4318, protocol: TCP }
    - { port: 4317, protocol: TCP }
{{- end }}
{{- end -}}
