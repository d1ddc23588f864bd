// Log Analytics (container insights: logs), an Azure Monitor workspace (managed Prometheus:
// metrics, which KEDA queries to scale the processors) and Application Insights (traces: the
// OpenTelemetry Collector exports the services' spans to it, with the connection string this module
// puts into Key Vault).

@description('Azure region.')
param location string

@description('Name prefix shared by every resource of the shop.')
param prefix string

param tags object

@description('Days the container logs are kept.')
param logRetentionDays int = 30

@description('Key Vault that receives the Application Insights connection string (the collector reads it).')
param keyVaultName string

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${prefix}-logs'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: logRetentionDays
    features: {
      enableLogAccessUsingOnlyResourcePermissions: true
    }
  }
}

resource prometheus 'Microsoft.Monitor/accounts@2023-04-03' = {
  name: '${prefix}-prometheus'
  location: location
  tags: tags
  properties: {}
}

// Workspace-based: traces land in the same Log Analytics workspace as the container logs, so one
// query joins a trace_id from the pino lines with its spans.
resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${prefix}-appinsights'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    IngestionMode: 'LogAnalytics'
  }
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

// Written through Azure Resource Manager from the component itself: no value passes through a
// parameter, the shell or the repository. The collector's SecretProviderClass reads this name.
resource connectionString 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: 'applicationinsights-connection-string'
  properties: {
    value: appInsights.properties.ConnectionString
    contentType: 'Application Insights connection string'
  }
}

output logAnalyticsWorkspaceId string = logs.id
output azureMonitorWorkspaceId string = prometheus.id
output azureMonitorWorkspaceName string = prometheus.name
@description('PromQL endpoint of the Azure Monitor workspace: the serverAddress of the KEDA Prometheus triggers.')
output prometheusQueryEndpoint string = prometheus.properties.metrics.prometheusQueryEndpoint
output applicationInsightsName string = appInsights.name
