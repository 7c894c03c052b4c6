{{- define "crm.labels" -}}
app.kubernetes.io/part-of: crm-platform
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{- define "crm.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "crm.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- /* Every service's in-cluster base URL, `name=http://release-name:port` comma-separated (SERVICE_URLS). */ -}}
{{- define "crm.serviceUrls" -}}
{{- $urls := list }}
{{- range $name, $svc := .Values.services }}
{{- $urls = append $urls (printf "%s=http://%s-%s:%v" $name $.Release.Name $name $svc.port) }}
{{- end }}
{{- join "," $urls }}
{{- end }}
