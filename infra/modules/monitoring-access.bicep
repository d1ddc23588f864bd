// The app identity may query the Azure Monitor workspace: KEDA's Prometheus triggers scale the
// processors on their lag metrics, authenticated as this identity.

param azureMonitorWorkspaceName string

@description('Principal id of the app identity.')
param appPrincipalId string

resource prometheus 'Microsoft.Monitor/accounts@2023-04-03' existing = {
  name: azureMonitorWorkspaceName
}

var monitoringDataReaderRoleId = 'b0d8363b-8ddd-447d-831f-62ca05bff136'

resource appQueriesMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(prometheus.id, appPrincipalId, monitoringDataReaderRoleId)
  scope: prometheus
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringDataReaderRoleId)
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
  }
}
