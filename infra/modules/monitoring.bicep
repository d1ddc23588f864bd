// Log Analytics (container insights: logs) and an Azure Monitor workspace (managed Prometheus:
// metrics, which KEDA queries to scale the processors).

@description('Azure region.')
param location string

@description('Name prefix shared by every resource of the shop.')
param prefix string

param tags object

@description('Days the container logs are kept.')
param logRetentionDays int = 30

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

output logAnalyticsWorkspaceId string = logs.id
output azureMonitorWorkspaceId string = prometheus.id
output azureMonitorWorkspaceName string = prometheus.name
@description('PromQL endpoint of the Azure Monitor workspace: the serverAddress of the KEDA Prometheus triggers.')
output prometheusQueryEndpoint string = prometheus.properties.metrics.prometheusQueryEndpoint
