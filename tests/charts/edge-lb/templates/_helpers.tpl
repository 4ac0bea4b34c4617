{{- define "edge-lb.fullname" -}}
{{- printf "%s-edge-lb" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "edge-lb.selectorLabels" -}}
app.kubernetes.io/name: edge-lb
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "edge-lb.labels" -}}
{{ include "edge-lb.selectorLabels" . }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
