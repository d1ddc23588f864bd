// The AKS cluster: Entra ID + Azure RBAC for Kubernetes (no local accounts, so kubectl needs
// kubelogin), OIDC issuer + workload identity, KEDA, the application routing add-on (managed NGINX,
// ingress class webapprouting.kubernetes.azure.com), the Key Vault Secrets Store CSI driver, managed
// Prometheus and container insights; a system pool and a user pool spread over availability zones.

param location string
param name string
param tags object

@description('Empty: the region\'s default version.')
param kubernetesVersion string = ''

@description('Zones of both node pools; empty for a region without availability zones.')
param availabilityZones array = [
  '1'
  '2'
  '3'
]

param systemNodeVmSize string = 'Standard_D4ds_v5'
param userNodeVmSize string = 'Standard_D4ds_v5'
param systemNodeCount int = 3
param userNodeMinCount int = 3
param userNodeMaxCount int = 9

param registryName string
param logAnalyticsWorkspaceId string
param azureMonitorWorkspaceId string

@description('Object id of the release pipeline\'s service principal (empty: none): cluster user + RBAC cluster admin, so it can fetch credentials and apply the release.')
param deployPrincipalId string = ''

@description('Object id of the operator (person or group) who installs Argo Rollouts and cert-manager with Helm (empty: none): cluster user + RBAC cluster admin.')
param operatorPrincipalId string = ''

@allowed([
  'User'
  'Group'
  'ServicePrincipal'
])
param operatorPrincipalType string = 'User'

resource cluster 'Microsoft.ContainerService/managedClusters@2025-05-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Base'
    tier: 'Standard' // the uptime SLA; Free has none
  }
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    kubernetesVersion: empty(kubernetesVersion) ? null : kubernetesVersion
    dnsPrefix: name
    enableRBAC: true
    disableLocalAccounts: true
    aadProfile: {
      managed: true
      enableAzureRBAC: true
      tenantID: tenant().tenantId
    }
    oidcIssuerProfile: {
      enabled: true
    }
    securityProfile: {
      workloadIdentity: {
        enabled: true
      }
    }
    workloadAutoScalerProfile: {
      keda: {
        enabled: true
      }
    }
    ingressProfile: {
      webAppRouting: {
        enabled: true
      }
    }
    addonProfiles: {
      azureKeyvaultSecretsProvider: {
        enabled: true
        config: {
          enableSecretRotation: 'true'
          rotationPollInterval: '2m'
        }
      }
      omsagent: {
        enabled: true
        config: {
          logAnalyticsWorkspaceResourceID: logAnalyticsWorkspaceId
          useAADAuth: 'true'
        }
      }
    }
    azureMonitorProfile: {
      metrics: {
        enabled: true
        kubeStateMetrics: {
          metricLabelsAllowlist: ''
          metricAnnotationsAllowList: ''
        }
      }
    }
    autoUpgradeProfile: {
      upgradeChannel: 'patch'
      nodeOSUpgradeChannel: 'NodeImage'
    }
    networkProfile: {
      networkPlugin: 'azure'
      networkPluginMode: 'overlay'
      loadBalancerSku: 'standard'
      outboundType: 'loadBalancer'
    }
    agentPoolProfiles: [
      {
        name: 'system'
        mode: 'System'
        type: 'VirtualMachineScaleSets'
        osType: 'Linux'
        osSKU: 'AzureLinux'
        vmSize: systemNodeVmSize
        count: systemNodeCount
        availabilityZones: availabilityZones
        // Only system pods here: the shop runs on the user pool.
        nodeTaints: [
          'CriticalAddonsOnly=true:NoSchedule'
        ]
        upgradeSettings: {
          maxSurge: '33%'
        }
      }
      {
        name: 'user'
        mode: 'User'
        type: 'VirtualMachineScaleSets'
        osType: 'Linux'
        osSKU: 'AzureLinux'
        vmSize: userNodeVmSize
        count: userNodeMinCount
        enableAutoScaling: true
        minCount: userNodeMinCount
        maxCount: userNodeMaxCount
        availabilityZones: availabilityZones
        upgradeSettings: {
          maxSurge: '33%'
        }
      }
    ]
  }
}

// The kubelet identity pulls the images: no registry password anywhere.
resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = {
  name: registryName
}

var acrPullRoleId = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource kubeletAcrPull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, cluster.id, acrPullRoleId)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPullRoleId)
    principalId: cluster.properties.identityProfile.kubeletidentity.objectId
    principalType: 'ServicePrincipal'
  }
}

// The release pipeline: `az aks get-credentials` (Cluster User) and kubectl through kubelogin with
// Azure RBAC (RBAC Cluster Admin: it applies CRDs' instances, cluster-scoped issuers and RBAC).
var clusterUserRoleId = '4abbcc35-e782-43d8-92c5-2d3f1bd2253f'
var rbacClusterAdminRoleId = 'b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b'

resource deployClusterUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployPrincipalId)) {
  name: guid(cluster.id, deployPrincipalId, clusterUserRoleId)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', clusterUserRoleId)
    principalId: deployPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource deployClusterAdmin 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployPrincipalId)) {
  name: guid(cluster.id, deployPrincipalId, rbacClusterAdminRoleId)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', rbacClusterAdminRoleId)
    principalId: deployPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource operatorClusterUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(cluster.id, operatorPrincipalId, clusterUserRoleId)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', clusterUserRoleId)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

resource operatorClusterAdmin 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(operatorPrincipalId)) {
  name: guid(cluster.id, operatorPrincipalId, rbacClusterAdminRoleId)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', rbacClusterAdminRoleId)
    principalId: operatorPrincipalId
    principalType: operatorPrincipalType
  }
}

// Managed Prometheus: the add-on's collector sends to the Azure Monitor workspace through this
// endpoint and rule (the shape `az aks create --enable-azure-monitor-metrics` makes).
resource prometheusEndpoint 'Microsoft.Insights/dataCollectionEndpoints@2023-03-11' = {
  name: take('MSProm-${location}-${name}', 44)
  location: location
  tags: tags
  kind: 'Linux'
  properties: {}
}

resource prometheusRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: take('MSProm-${location}-${name}', 64)
  location: location
  tags: tags
  kind: 'Linux'
  properties: {
    dataCollectionEndpointId: prometheusEndpoint.id
    dataSources: {
      prometheusForwarder: [
        {
          name: 'PrometheusDataSource'
          streams: [
            'Microsoft-PrometheusMetrics'
          ]
          labelIncludeFilter: {}
        }
      ]
    }
    destinations: {
      monitoringAccounts: [
        {
          name: 'MonitoringAccount1'
          accountResourceId: azureMonitorWorkspaceId
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          'Microsoft-PrometheusMetrics'
        ]
        destinations: [
          'MonitoringAccount1'
        ]
      }
    ]
  }
}

resource prometheusRuleLink 'Microsoft.Insights/dataCollectionRuleAssociations@2023-03-11' = {
  name: take('MSProm-${location}-${name}', 64)
  scope: cluster
  properties: {
    dataCollectionRuleId: prometheusRule.id
    description: 'Sends the cluster\'s Prometheus metrics to the Azure Monitor workspace. Deleting it stops managed Prometheus.'
  }
}

// Container insights with Entra ID auth (useAADAuth above) reads its settings from this rule.
resource insightsRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: take('MSCI-${location}-${name}', 64)
  location: location
  tags: tags
  kind: 'Linux'
  properties: {
    dataSources: {
      extensions: [
        {
          name: 'ContainerInsightsExtension'
          extensionName: 'ContainerInsights'
          streams: [
            'Microsoft-ContainerInsights-Group-Default'
          ]
          extensionSettings: {
            dataCollectionSettings: {
              interval: '1m'
              namespaceFilteringMode: 'Off'
              enableContainerLogV2: true
            }
          }
        }
      ]
    }
    destinations: {
      logAnalytics: [
        {
          name: 'ciworkspace'
          workspaceResourceId: logAnalyticsWorkspaceId
        }
      ]
    }
    dataFlows: [
      {
        streams: [
          'Microsoft-ContainerInsights-Group-Default'
        ]
        destinations: [
          'ciworkspace'
        ]
      }
    ]
  }
}

resource insightsRuleLink 'Microsoft.Insights/dataCollectionRuleAssociations@2023-03-11' = {
  name: 'ContainerInsightsExtension'
  scope: cluster
  properties: {
    dataCollectionRuleId: insightsRule.id
    description: 'Sends container logs and inventory to Log Analytics. Deleting it stops container insights.'
  }
}

output id string = cluster.id
output name string = cluster.name
output oidcIssuerUrl string = cluster.properties.oidcIssuerProfile.issuerURL
output kubeletObjectId string = cluster.properties.identityProfile.kubeletidentity.objectId
