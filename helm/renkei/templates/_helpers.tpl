{{/* The chart's name, and the release's full name (at most 63 characters). */}}
{{- define "renkei.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "renkei.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "renkei.selectorLabels" -}}
app.kubernetes.io/name: {{ include "renkei.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "renkei.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "renkei.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "renkei.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* The Secret the chart makes (hook resource: it exists before the migration Job runs). */}}
{{- define "renkei.secretName" -}}
{{- printf "%s-secrets" (include "renkei.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Whether several pods run at once: then MQTT shared subscriptions are on. */}}
{{- define "renkei.scaledOut" -}}
{{- if or .Values.autoscaling.enabled (gt (int .Values.replicaCount) 1) }}true{{ end }}
{{- end }}

{{/* Whether several processes take device measures at once (pods or workers): then MQTT
shared subscriptions are on, so each measure is taken once. */}}
{{- define "renkei.sharedMqtt" -}}
{{- if or (include "renkei.scaledOut" .) (gt (int .Values.config.workers) 1) }}true{{ end }}
{{- end }}

{{/* The database URL as one env entry, from an existing Secret or the chart's. */}}
{{- define "renkei.databaseUrlEnv" -}}
- name: RENKEI_DATABASE_URL
  valueFrom:
    secretKeyRef:
      {{- if .Values.postgresql.existingSecret }}
      name: {{ .Values.postgresql.existingSecret }}
      key: {{ .Values.postgresql.existingSecretKey }}
      {{- else }}
      name: {{ include "renkei.secretName" . }}
      key: database-url
      {{- end }}
{{- end }}

{{/* Every secret setting as env entries. */}}
{{- define "renkei.secretEnv" -}}
- name: RENKEI_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .Values.secret.existingSecret | default (include "renkei.secretName" .) }}
      key: secret-key
{{ include "renkei.databaseUrlEnv" . }}
{{- if .Values.mqtt.enabled }}
- name: RENKEI_MQTT_URL
  valueFrom:
    secretKeyRef:
      {{- if .Values.mqtt.existingSecret }}
      name: {{ .Values.mqtt.existingSecret }}
      key: {{ .Values.mqtt.existingSecretKey }}
      {{- else }}
      name: {{ include "renkei.secretName" . }}
      key: mqtt-url
      {{- end }}
{{- end }}
{{- if or .Values.metrics.token .Values.metrics.existingSecret }}
- name: RENKEI_METRICS_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ .Values.metrics.existingSecret | default (include "renkei.secretName" .) }}
      key: metrics-token
{{- end }}
{{- end }}

{{- define "renkei.podSecurity" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
automountServiceAccountToken: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
