{{/*
The subjects one service's NATS user may use: its own, and nothing of another brain or service.
Subjects and stream/consumer names follow packages/contracts/src/subjects.ts:
  forge.<brain>.task.route, forge.<brain>.task.run.<agent>, forge.<brain>.status.<taskId>,
  forge.<brain>.cancel.<agent>, forge.<brain>.event.<agent>.<kind>, forge.<brain>.dlq.<source>,
  forge.<brain>.model.call, forge.<brain>.partner.ask; streams FORGE_<BRAIN>_{TASKS,DLQ,EVENTS};
  durables `router`, `agent-<agent>`, `agent-<agent>-dead`, and the EVENTS durables a service lists
  under `eventConsumers` (engagement-stories, diary-observations), forge.<brain>.scheduler.control.
Every user may create/update/read its brain's streams (services ensure them at start), use its
own durables (create, info, next, ack), receive replies on _INBOX.> and answer the requests it
was sent (allow_responses).
Call with (dict "ctx" $ "name" $name "kind" $kind "spec" $spec). Renders NATS config `permissions` text.
*/}}
{{- define "forge.natsPermissions" -}}
{{- $b := .ctx.Values.brain -}}
{{- $p := printf "forge.%s" $b -}}
{{- $s := printf "FORGE_%s" (upper $b) -}}
{{- $durables := list -}}
{{- $pub := list (printf "%s.status.*" $p) (printf "%s.dlq.>" $p) -}}
{{- $sub := list "_INBOX.>" -}}
{{- if eq .kind "router" -}}
  {{- $durables = list (list (printf "%s_TASKS" $s) "router") -}}
  {{- $pub = concat $pub (list (printf "%s.task.run.*" $p)) -}}
  {{- $sub = concat $sub (list (printf "%s.model.call" $p)) -}}
{{- else if eq .kind "agent" -}}
  {{- $durables = list (list (printf "%s_TASKS" $s) (printf "agent-%s" .name)) (list (printf "%s_DLQ" $s) (printf "agent-%s-dead" .name)) -}}
  {{- /* Durables an agent reads the brain's events with (engagement's stories, the diary's observations). */ -}}
  {{- range .spec.eventConsumers -}}
    {{- $durables = append $durables (list (printf "%s_EVENTS" $s) .) -}}
  {{- end -}}
  {{- $pub = concat $pub (list (printf "%s.task.route" $p) (printf "%s.task.run.%s" $p .name) (printf "%s.event.%s.>" $p .name) (printf "%s.cancel.%s" $p .name) (printf "%s.model.call" $p)) -}}
  {{- $sub = concat $sub (list (printf "%s.status.*" $p) (printf "%s.cancel.%s" $p .name)) -}}
{{- else if eq .kind "scheduler" -}}
  {{- $pub = concat $pub (list (printf "%s.task.route" $p) (printf "%s.event.scheduler.>" $p)) -}}
  {{- /* It answers `forge schedule` and the console on the control subject. */ -}}
  {{- $sub = concat $sub (list (printf "%s.status.*" $p) (printf "%s.scheduler.control" $p)) -}}
{{- else if eq .kind "gateway" -}}
  {{- /* The gateway runs the `partners` agent (partners.ask) and answers forge.<brain>.partner.ask. */ -}}
  {{- $durables = list (list (printf "%s_TASKS" $s) "agent-partners") (list (printf "%s_DLQ" $s) "agent-partners-dead") -}}
  {{- $pub = concat $pub (list (printf "%s.task.route" $p) (printf "%s.task.run.partners" $p) (printf "%s.event.partners.>" $p) (printf "%s.cancel.partners" $p) (printf "%s.model.call" $p)) -}}
  {{- $sub = concat $sub (list (printf "%s.status.*" $p) (printf "%s.cancel.partners" $p) (printf "%s.partner.ask" $p)) -}}
{{- else if eq .kind "console" -}}
  {{- $pub = concat $pub (list (printf "%s.task.route" $p) (printf "%s.task.run.*" $p) (printf "%s.cancel.*" $p) (printf "%s.event.console.>" $p) (printf "%s.scheduler.control" $p)) -}}
  {{- $sub = concat $sub (list (printf "%s.status.*" $p) (printf "%s.event.>" $p)) -}}
{{- end -}}
{{- $pub = concat $pub (list "$JS.API.INFO") -}}
{{- /* A NATS wildcard matches whole tokens only: each of the brain's streams is named. */ -}}
{{- range list "TASKS" "DLQ" "EVENTS" -}}
  {{- $stream := printf "%s_%s" $s . -}}
  {{- $pub = concat $pub (list (printf "$JS.API.STREAM.INFO.%s" $stream) (printf "$JS.API.STREAM.CREATE.%s" $stream) (printf "$JS.API.STREAM.UPDATE.%s" $stream) (printf "$JS.API.STREAM.MSG.GET.%s" $stream)) -}}
{{- end -}}
{{- range $durables -}}
  {{- $stream := index . 0 -}}{{- $durable := index . 1 -}}
  {{- $pub = concat $pub (list (printf "$JS.API.CONSUMER.CREATE.%s.%s" $stream $durable) (printf "$JS.API.CONSUMER.CREATE.%s.%s.>" $stream $durable) (printf "$JS.API.CONSUMER.DURABLE.CREATE.%s.%s" $stream $durable) (printf "$JS.API.CONSUMER.INFO.%s.%s" $stream $durable) (printf "$JS.API.CONSUMER.MSG.NEXT.%s.%s" $stream $durable) (printf "$JS.ACK.%s.%s.>" $stream $durable)) -}}
{{- end -}}
permissions: {
  publish: { allow: [{{ range $i, $v := $pub }}{{ if $i }}, {{ end }}{{ $v | quote }}{{ end }}] }
  subscribe: { allow: [{{ range $i, $v := $sub }}{{ if $i }}, {{ end }}{{ $v | quote }}{{ end }}] }
  # Answer the requests it received (model calls, cancels) on their reply subjects, and no others.
  allow_responses: true
}
{{- end -}}

{{/* The NATS accounts block: one account for the brain, one user per enabled service (+ keda). */}}
{{- define "forge.natsAccounts" -}}
accounts {
  FORGE: {
    jetstream: enabled
    users: [
{{- range $name, $spec := .Values.services }}
{{- if $spec.enabled }}
      {
        user: {{ include "forge.natsUser" $name | quote }}
        password: ${{ include "forge.natsPasswordVar" $name }}
        {{- include "forge.natsPermissions" (dict "ctx" $ "name" $name "kind" $spec.kind "spec" $spec) | nindent 8 }}
      }
{{- end }}
{{- end }}
    ]
  }
}
{{- end -}}
